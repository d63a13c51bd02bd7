import Foundation
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf

/// A real `kiemd` process started from a TOML file the test writes; its log
/// goes to `kiemd.log` beside the file.
final class KiemdProcess: @unchecked Sendable {
    let process = Process()
    let configurationPath: String
    let logPath: String

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
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// What the daemon logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGKILL and waits until the process is gone.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
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

    /// Connects to `port` (retrying while the daemon starts) and returns
    /// the node's vector from the handshake.
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

    /// Runs `body` on a connection to `port`, dialling again until the port
    /// answers, within `seconds`.
    private func withConnection<T: Sendable>(port: Int, seconds: Double, _ body: @escaping @Sendable (RPCClient) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask {
                while true {
                    let client: RPCClient
                    do {
                        client = try await RPCClient.connect(to: .tls(host: "127.0.0.1", port: port, context: tls), logger: TestFederation.logger)
                    } catch let error as RPCError where error.code == .unavailable && ContinuousClock.now < deadline {
                        // Not listening yet: wait for the daemon's start-up,
                        // bounded by the deadline above.
                        try await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                    do {
                        let result = try await body(client)
                        await client.close()
                        return result
                    } catch {
                        await client.close()
                        throw error
                    }
                }
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                throw TestTimeout.expired("port \(port) within \(seconds) s")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
