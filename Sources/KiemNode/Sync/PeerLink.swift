import KiemConfiguration
import KiemCore
import KiemWire
import SwiftProtobuf
import KiemProtocol
import KiemTransport
import Logging

/// Keeps one configured peer connected: dials it over mutual TLS, expecting
/// the organisation and node the configuration names, exchanges version
/// vectors, then subscribes to the peer's ops (catch-up first, then live)
/// while pushing it every op it lacks, from any origin, as the store changes,
/// and exchanging revocations (``RevocationExchange``).
/// On any failure it redials with exponential backoff and jitter; a
/// reconnect resumes from the vectors. While the peer holds a session with
/// this node that it dialled itself, the link stands by.
struct PeerLink: Sendable {
    let peer: NodeConfiguration.Peer
    let replicator: Replicator
    let tls: KiemTLSContext
    let logger: Logger

    /// Runs until cancelled.
    func run() async {
        var logger = self.logger
        logger[metadataKey: "kiem.peer"] = "\(peer.node)"
        var backoff = Backoff()
        while !Task.isCancelled {
            if replicator.registry.session(with: peer.node) == .inbound {
                logger.debug("peer is connected inbound; standing by")
                await replicator.registry.waitUntilNoSession(with: peer.node)
                continue
            }
            var connected: ContinuousClock.Instant?
            do {
                try await connectOnce(logger: logger) { connected = .now }
            } catch is CancellationError {
                if Task.isCancelled { return }
            } catch let error as RPCError where error.code == .alreadyExists {
                logger.debug("peer keeps another session", metadata: ["kiem.error": "\(error.message)"])
            } catch {
                if Task.isCancelled { return }
                replicator.registry.update(peer.node) { $0.lastError = "\(error)" }
                logger.warning("sync with peer failed", metadata: [
                    "kiem.address": "\(peer.address)", "kiem.error": "\(error)",
                ])
            }
            if let connected { backoff.sessionEnded(after: .now - connected) }
            let delay = backoff.next(random: Double.random(in: 0...1))
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
        }
    }

    private func connectOnce(logger: Logger, connected: () -> Void) async throws {
        try await PeerConnection.withHandshake(to: peer, replicator: replicator, tls: tls, logger: logger) { client, identity, peerVector in
            connected()
            logger.info("connected to peer", metadata: [
                "kiem.address": "\(peer.address)", "kiem.peer_vector": "\(peerVector)",
            ])
            let replicator = self.replicator
            let node = peer.node
            try await replicator.registry.withSession(peer: node, direction: .outbound) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let request = Kiem_V1_SubscribeRequest.with { $0.have = replicator.oplog.announcement }
                        try await client.serverStreaming(SyncAPI.subscribe, request: request) { batches in
                            try await replicator.receive(batches, from: identity)
                        }
                        throw RPCError(code: .unavailable, message: "the peer ended the subscription")
                    }
                    group.addTask {
                        try await RevocationExchange.call(client, peer: identity, book: replicator.revocations, logger: logger)
                    }
                    group.addTask {
                        _ = try await client.clientStreaming(SyncAPI.push) { writer in
                            try await replicator.send(
                                to: node, live: true, limits: BatchLimits(maxMessageBytes: writer.maximumMessageSize),
                                write: writer.write)
                        }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        }
    }
}
