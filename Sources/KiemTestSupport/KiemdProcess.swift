package import Foundation
package import KiemConfiguration

/// A real `kiemd` process started from a TOML file the test writes; its log
/// goes to `kiemd.log` beside the file, read as it arrives so that a test can
/// wait for the daemon to say it is listening. Every wait is asynchronous
/// (see ``ChildProcess``), and a daemon still running when this object goes
/// away is killed, so a failing test leaves no kiemd behind.
package final class KiemdProcess: Sendable {
    /// What the daemon was started with.
    package let configuration: NodeConfiguration
    package let configurationPath: String
    package let logPath: String
    private let child: ChildProcess

    /// The kiemd binary is not next to the tests.
    package struct NotBuilt: Error, CustomStringConvertible {
        package var description: String { "the kiemd binary was not built next to the tests (run `swift build --build-tests`)" }
    }

    /// Writes `configuration` as TOML into `folder` and starts kiemd on it,
    /// with `arguments` after `--config` (e.g. `--rebuild-from-peers`).
    package init(_ configuration: NodeConfiguration, folder: URL, arguments: [String] = []) throws {
        guard let kiemd = BuiltExecutable("kiemd") else { throw NotBuilt() }
        self.configuration = configuration
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        configurationPath = folder.appendingPathComponent("kiemd.toml").path
        logPath = folder.appendingPathComponent("kiemd.log").path
        try configuration.toml.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        child = try ChildProcess(kiemd.url, ["--config", configurationPath] + arguments, onOutput: { log.write($0) })
    }

    /// The control socket (`kiemd.sock` in the data folder).
    package var socketPath: String { configuration.controlSocketPath }

    /// Returns once the daemon has logged that it is listening.
    /// - Throws: when it exits first, or after `seconds`.
    package func waitUntilListening(seconds: Double = 30) async throws {
        // `KiemNode.open` logs this once its listener is bound.
        try await waitForLog("that it listens", seconds: seconds) { $0.hasSuffix("node opened") }
    }

    /// Returns once the daemon has logged a line for which `matches` holds
    /// (lines look like `… info kiemd: kiem.peer=svb-1 [KiemNode] sync
    /// session opened`, metadata sorted by key).
    /// - Throws: when it exits first, or after `seconds`.
    package func waitForLog(
        _ what: String, seconds: Double = 30, where matches: @escaping @Sendable (Substring) -> Bool
    ) async throws {
        try await withDeadline(seconds: seconds, "kiemd to log \(what); log:\n\(log)") { [self] in
            let logged = { self.log.split(separator: "\n").contains(where: matches) }
            await child.wait { logged() || child.isFinished }
            if logged() { return }
            try Task.checkCancellation()
            throw DeadlineExceeded(what: "kiemd to log \(what), but it exited; log:\n\(log)")
        }
    }

    /// What the daemon logged so far.
    package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    /// - Throws: ``DeadlineExceeded`` when it has not exited after `seconds`
    ///   (it is then killed).
    package func terminate(seconds: Double = 60) async throws -> Int32 {
        child.signal(SIGTERM)
        return try await child.finished(seconds: seconds).status
    }

    /// Sends SIGHUP: the daemon reads its CRL again.
    public func reload() {
        child.signal(SIGHUP)
    }

    /// Sends SIGKILL and waits until the process is gone.
    package func kill() async throws {
        child.signal(SIGKILL)
        _ = try await child.finished()
    }
}

extension FileHandle {
    /// Reads on a thread of its own until the end of the file (a pipe: until
    /// every writer closed it), handing each chunk to `chunk` as it arrives,
    /// then calls `end`. `readabilityHandler` can miss the end of a pipe when
    /// many processes run at once.
    package func readUntilEnd(_ chunk: @escaping @Sendable (Data) -> Void, end: @escaping @Sendable () -> Void) {
        Thread {
            while case let data = self.availableData, !data.isEmpty {
                chunk(data)
            }
            end()
        }.start()
    }
}
