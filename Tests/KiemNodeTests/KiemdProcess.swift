import Foundation
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf
import Synchronization

/// A real `kiemd` process started from a TOML file the test writes; its log
/// goes to `kiemd.log` beside the file, read as it arrives so that a test can
/// wait for the daemon to say it is listening.
final class KiemdProcess: @unchecked Sendable {
    let process = Process()
    let configurationPath: String
    let logPath: String
    private let output = Pipe()
    private let opened = Mutex(false)
    private let logged = ChangeSignal()
    /// Signalled when the daemon's output ends (it exited and everything it
    /// wrote is in the log file).
    private let outputEnded = DispatchSemaphore(value: 0)

    /// Writes the configuration of `configuration` as TOML and starts kiemd on it.
    init(_ configuration: NodeConfiguration, folder: URL) throws {
        guard let kiemd = BuiltExecutable("kiemd") else {
            throw TestTimeout.expired("the kiemd binary (not built next to the tests; run `swift build --build-tests`)")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        configurationPath = folder.appendingPathComponent("kiemd.toml").path
        logPath = folder.appendingPathComponent("kiemd.log").path
        try configuration.toml.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.executableURL = kiemd.url
        process.arguments = ["--config", configurationPath]
        process.standardOutput = output
        process.standardError = output
        let logged = self.logged
        let outputEnded = self.outputEnded
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                logged.notify()
                outputEnded.signal()
                return
            }
            log.write(data)
            // `KiemNode.open` logs this once its listener is bound.
            if String(decoding: data, as: UTF8.self).contains("node opened") { self?.opened.withLock { $0 = true } }
            logged.notify()
        }
        try process.run()
    }

    /// Returns once the daemon has logged that it is listening.
    /// - Throws: when it exits first, or after `seconds`.
    func waitUntilListening(seconds: Double = 30) async throws {
        try await withDeadline(seconds: seconds, "kiemd to listen; log:\n\(log)") { [self] in
            while true {
                let generation = logged.generation
                if opened.withLock({ $0 }) { return }
                guard process.isRunning else { throw DeadlineExceeded(what: "kiemd, which exited; log:\n\(log)") }
                try Task.checkCancellation()
                await logged.wait(after: generation)
            }
        }
    }

    /// What the daemon logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        _ = outputEnded.wait(timeout: .now() + 10)
        return process.terminationStatus
    }

    /// Sends SIGKILL and waits until the process is gone.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        _ = outputEnded.wait(timeout: .now() + 10)
    }
}

/// A federation member that watches what a node holds through the Sync
/// protocol itself: it subscribes and tracks the vector of what it is sent.
struct Probe: Sendable {
    let tls: KiemTLSContext

    init(_ federation: TestFederation) throws {
        tls = try KiemTLSContext(
            role: .client, identity: try federation.pki.node("probe", "probe-1").tlsIdentity(),
            applicationProtocols: [RPCServer.applicationProtocol], logger: TestFederation.logger)
    }

    /// Connects to `port` and returns the node's vector from the handshake.
    func handshake(port: Int, seconds: Double = 30) async throws -> VersionVector {
        try await withConnection(port: port, seconds: seconds) { client in
            let response = try await client.unary(SyncService.handshake, request: Self.hello)
            return try VersionVector(proto: response.versionVector)
        }
    }

    /// Subscribes to the node at `port` and returns once what it was sent
    /// satisfies `done`.
    func watch(port: Int, seconds: Double = 120, until done: @escaping @Sendable (VersionVector) -> Bool) async throws -> VersionVector {
        try await withConnection(port: port, seconds: seconds) { client in
            _ = try await client.unary(SyncService.handshake, request: Self.hello)
            return try await client.serverStreaming(SyncService.subscribe, request: Kiem_V1_SubscribeRequest()) { batches in
                var seen = VersionVector()
                for try await batch in batches {
                    for wire in batch.ops {
                        let op = try Op(canonicalBytes: [UInt8](wire.canonical))
                        seen.advance(op.origin, to: op.id.seq)
                    }
                    if done(seen) { return seen }
                }
                throw TestTimeout.expired("the subscription ended at \(seen)")
            }
        }
    }

    private static let hello = Kiem_V1_HandshakeRequest.with {
        $0.nodeID = "probe-1"
        $0.organisation = "probe"
    }

    /// Runs `body` on a connection to the daemon at `port` (which must be
    /// listening: ``KiemdProcess/waitUntilListening(seconds:)``), within `seconds`.
    private func withConnection<T: Sendable>(port: Int, seconds: Double, _ body: @escaping @Sendable (RPCClient) async throws -> T) async throws -> T {
        try await withDeadline(seconds: seconds, "port \(port) within \(seconds) s") { [tls] in
            try await RPCClient.withConnection(to: .tls(host: "127.0.0.1", port: port, context: tls), logger: TestFederation.logger, body)
        }
    }
}
