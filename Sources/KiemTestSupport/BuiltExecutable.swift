package import Foundation

/// An executable of this package built alongside the tests (`kiemd`,
/// `kiemctl`), found next to the test bundle or in `.build/debug`.
package struct BuiltExecutable: Sendable {
    /// Where it is.
    package let url: URL

    /// Finds the executable `name`; nil if it was not built.
    package init?(_ name: String, filePath: String = #filePath) {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            var directory = URL(fileURLWithPath: first).deletingLastPathComponent()
            // On Darwin the bundle's executable sits in Foo.xctest/Contents/MacOS.
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent(name))
                directory = directory.deletingLastPathComponent()
            }
        }
        var root = URL(fileURLWithPath: filePath)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        candidates.append(root.appendingPathComponent(".build/debug/\(name)"))
        guard let url = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else { return nil }
        self.url = url
    }

    /// Runs it to completion without blocking a thread; returns its exit
    /// status and everything it printed (standard output and error together).
    /// - Throws: ``DeadlineExceeded`` when it has not finished after
    ///   `seconds` (it is then killed).
    package func run(_ arguments: [String], seconds: Double = 60) async throws -> (status: Int32, output: String) {
        let outcome = try await ChildProcess(url, arguments).finished(seconds: seconds)
        return (outcome.status, outcome.stdout)
    }
}
