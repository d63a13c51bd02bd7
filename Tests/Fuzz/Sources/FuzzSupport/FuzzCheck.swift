/// Stops the fuzzer when a property does not hold: libFuzzer reports the
/// crash and saves the input that broke it. Every target states its
/// properties with this, so a violation is never just a log line.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fatalError("property violated: \(message())", file: file, line: line)
    }
}
