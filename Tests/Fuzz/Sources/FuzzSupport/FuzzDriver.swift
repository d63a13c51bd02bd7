import CLibFuzzer

/// Hands a target's test function to libFuzzer.
///
/// SwiftPM links an executable's `main` to a symbol named `<target>_main`
/// that the compiler emits from top-level code; the targets are built with
/// `-parse-as-library` (libFuzzer's convention, so that no top-level code
/// competes with libFuzzer's own `main`), so each target defines that symbol
/// itself with `@_cdecl` and calls ``run(_:_:_:)``.
public enum FuzzDriver {
    /// The function libFuzzer calls with each input.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer with the process's arguments on `test`; returns its exit status.
    public static func run(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ test: TestOneInput
    ) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, test)
    }
}
