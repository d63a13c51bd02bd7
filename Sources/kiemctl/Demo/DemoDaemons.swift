import Foundation
import KiemClient
import KiemProtocol
import KiemTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts and stops the demo's kiemd processes. A node runs detached from
/// kiemctl (its output goes to `kiemd.log`, not to a pipe), so it outlives
/// `kiemctl demo --no-wait`; it is found again through its data folder.
enum DemoDaemons {
    /// How a stop request for one node ended.
    enum StopOutcome: Sendable {
        /// It exited after SIGTERM.
        case stopped(pid: pid_t)
        /// No kiemd ran on the folder.
        case notRunning
        /// It still ran when the wait ended.
        case didNotStop(pid: pid_t)
    }

    /// How this kiemctl was invoked (`kiemctl`, `.build/debug/kiemctl`, …):
    /// how to type it again in the same shell.
    static var kiemctlCommand: String { CommandLine.arguments.first ?? "kiemctl" }

    /// The kiemd executable: next to this kiemctl, or else on `PATH`.
    /// - Returns: where it is, and the command that runs it in the same
    ///   shell (`kiemd` when found on `PATH`).
    static func locateKiemd() throws -> (url: URL, command: String) {
        let beside = kiemctlCommand.contains("/") ? (kiemctlCommand as NSString).deletingLastPathComponent + "/kiemd" : nil
        if let beside, FileManager.default.isExecutableFile(atPath: beside) {
            return (URL(fileURLWithPath: beside), beside)
        }
        let onPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { String($0) + "/kiemd" }
        guard let found = onPath.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw KiemctlFailure("cannot find kiemd next to kiemctl\(beside.map { " (\($0))" } ?? "") or on PATH; build it with `swift build --product kiemd`")
        }
        return (URL(fileURLWithPath: found), "kiemd")
    }

    /// Starts `kiemd --config <node>/kiemd.toml` with its output in
    /// `kiemd.log`.
    static func start(_ node: DemoNode, kiemd: URL) throws -> Process {
        guard FileManager.default.createFile(atPath: node.logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: node.logPath)
        else { throw KiemctlFailure("cannot create \(node.logPath)") }
        defer { try? log.close() }
        let process = Process()
        process.executableURL = kiemd
        process.arguments = ["--config", node.configurationPath]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw KiemctlFailure("cannot start \(kiemd.path) for \(node.name): \((error as NSError).localizedDescription)")
        }
        return process
    }

    /// Returns once the node's control socket answers a Status call.
    /// - Throws: when kiemd exits first or `seconds` pass; the message points
    ///   at the log.
    static func waitUntilReady(_ node: DemoNode, process: Process, seconds: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let answered = try? await ControlClient.withConnection(socket: node.socketPath) { control in
                try await control.call(ControlAPI.status, Kiem_V1_StatusRequest(), timeout: .seconds(5))
            }
            if answered != nil { return }
            guard process.isRunning else {
                throw KiemctlFailure("kiemd for \(node.name) exited with status \(process.terminationStatus) before it answered on \(node.socketPath); see \(node.logPath)")
            }
            guard ContinuousClock.now < deadline else {
                throw KiemctlFailure("kiemd for \(node.name) did not answer on \(node.socketPath) within \(Int(seconds)) s; see \(node.logPath)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether a kiemd holds the node's data folder (its `kiemd.lock`),
    /// which, unlike a pid file, cannot be stale.
    static func isRunning(_ node: DemoNode) -> Bool {
        let descriptor = open(node.lockPath, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Sends SIGTERM to each running node (the pid in its `kiemd.pid`) and
    /// waits up to `seconds` until every one has exited.
    static func stop(_ nodes: [DemoNode], seconds: Double) async -> [StopOutcome] {
        let pids: [pid_t?] = nodes.map { node in
            // kiemd writes its pid into the lock file too, before kiemd.pid.
            guard isRunning(node), let pid = [node.pidPath, node.lockPath].lazy.compactMap(readPID).first else { return nil }
            return kill(pid, SIGTERM) == 0 ? pid : nil
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while pids.contains(where: { $0.map(isAlive) ?? false }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return pids.map { pid in
            guard let pid else { return .notRunning }
            return isAlive(pid) ? .didNotStop(pid: pid) : .stopped(pid: pid)
        }
    }

    private static func readPID(_ path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        return pid
    }

    private static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
