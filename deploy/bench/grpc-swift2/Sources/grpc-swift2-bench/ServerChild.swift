import Foundation
import Synchronization

/// This executable run with `--serve` in a child process, as
/// grpc_baseline.py runs its grpcio server, so that client and server each
/// get a core. The child prints `PORT n` and stops when its standard input
/// closes (when we stop it, or when this process ends for any reason).
final class ServerChild: Sendable {
    let port: Int
    private let process: Process
    private let input: Pipe
    private let exit: AsyncStream<Int32>

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    init(arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        let (exit, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        try process.run()
        self.process = process
        self.input = input
        self.exit = exit
        self.port = try await Self.readPort(output.fileHandleForReading)
    }

    /// Waits, without blocking a thread, for the first line `PORT n`.
    private static func readPort(_ handle: FileHandle) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let buffer = LineBuffer()
            handle.readabilityHandler = { handle in
                let data = handle.availableData
                let outcome: Result<Int, any Error>? = buffer.state.withLock { buffer in
                    guard !buffer.done else { return nil }
                    buffer.bytes.append(data)
                    if let newline = buffer.bytes.firstIndex(of: UInt8(ascii: "\n")) {
                        buffer.done = true
                        let line = String(decoding: buffer.bytes[..<newline], as: UTF8.self)
                        if line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) {
                            return .success(port)
                        }
                        return .failure(StartFailed(description: "server child printed \(line)"))
                    }
                    if data.isEmpty {
                        buffer.done = true
                        return .failure(StartFailed(description: "server child ended before it printed its port"))
                    }
                    return nil
                }
                if let outcome {
                    handle.readabilityHandler = nil
                    continuation.resume(with: outcome)
                }
            }
        }
    }

    /// What the child printed so far, until its first line.
    private final class LineBuffer: Sendable {
        let state = Mutex<(bytes: Data, done: Bool)>((Data(), false))
    }

    /// Closes the child's standard input and waits for it to exit (SIGKILL
    /// after 10 s).
    func stop() async {
        try? self.input.fileHandleForWriting.close()
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in self.exit {}
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            if await group.next() == false {
                kill(self.process.processIdentifier, SIGKILL)
            }
            group.cancelAll()
        }
    }
}
