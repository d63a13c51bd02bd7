import KiemConfiguration
import KiemCore
import KiemProtocol
import KiemTransport
import KiemWire
import Logging

/// Dials a peer over mutual TLS, expecting the organisation and node the
/// peer list names, learns its certificate, exchanges version vectors in
/// `Handshake` and records what the peer holds: the start of every
/// connection this node makes (``PeerLink``'s live session, ``OnDemandSync``).
enum PeerConnection {
    /// Connects, handshakes, runs `body` with the connection, the peer's
    /// verified identity and its vector, and closes the connection.
    static func withHandshake<Result: Sendable>(
        to peer: NodeConfiguration.Peer, replicator: Replicator, tls: KiemTLSContext, logger: Logger,
        _ body: (RPCClient, PeerIdentity, VersionVector) async throws -> Result
    ) async throws -> Result {
        let transport = RPCClientTransport.tls(
            host: peer.address.host, port: peer.address.port, context: tls,
            expecting: ExpectedPeer(organisation: peer.organisation, node: peer.node))
        return try await RPCClient.withConnection(to: transport, logger: logger) { client in
            guard let identity = client.peer else {
                throw RPCError(code: .unauthenticated, message: "the peer presented no certificate")
            }
            try await replicator.directory.learn(identity)
            let response = try await client.unary(SyncAPI.handshake, request: replicator.handshakeRequest())
            let theirs = try replicator.learnKnowledge(of: peer.node, from: response.versionVector)
            return try await body(client, identity, theirs)
        }
    }
}
