import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf

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
            let response = try await client.unary(SyncAPI.handshake, request: Self.hello)
            return try VersionVector(proto: response.versionVector)
        }
    }

    /// Subscribes to the node at `port` and returns once what it was sent
    /// satisfies `done`.
    func watch(port: Int, seconds: Double = 120, until done: @escaping @Sendable (VersionVector) -> Bool) async throws -> VersionVector {
        try await withConnection(port: port, seconds: seconds) { client in
            _ = try await client.unary(SyncAPI.handshake, request: Self.hello)
            return try await client.serverStreaming(SyncAPI.subscribe, request: Kiem_V1_SubscribeRequest()) { batches in
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
