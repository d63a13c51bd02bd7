import KiemCore
import KiemWire
import SwiftProtobuf
import KiemProtocol
import KiemTransport

/// The `kiem.v1.Sync` service: the RPC handlers peers call, each a thin
/// shell around the ``Replicator``.
enum SyncService {
    /// Adds the service's methods to `router`.
    static func register(in router: inout RPCRouter, replicator: Replicator) {
        router.unary(SyncAPI.handshake) { request, context in
            try await replicator.answer(request, from: try peer(of: context))
        }
        router.serverStreaming(SyncAPI.pull) { request, responses, context in
            let peer = try peer(of: context)
            try replicator.learnKnowledge(of: peer.node, from: request.have)
            let origins = try request.origins.isEmpty ? nil : Set(request.origins.map { try NodeID($0) })
            try await replicator.admitted(peer.node) {
                try await replicator.send(
                    to: peer.node, live: false,
                    limits: BatchLimits(pull: request, maxFrameBytes: responses.maximumMessageSize), origins: origins,
                    write: responses.write)
            }
        }
        router.serverStreaming(SyncAPI.subscribe) { request, responses, context in
            let peer = try peer(of: context)
            try replicator.learnKnowledge(of: peer.node, from: request.have)
            try await replicator.admitted(peer.node) {
                try await replicator.registry.withSession(peer: peer.node, direction: .inbound) {
                    try await replicator.send(
                        to: peer.node, live: true, limits: BatchLimits(maxMessageBytes: responses.maximumMessageSize),
                        write: responses.write)
                }
            }
        }
        router.clientStreaming(SyncAPI.push) { requests, context in
            let peer = try peer(of: context)
            return try await replicator.admitted(peer.node) {
                var ack = Kiem_V1_PushAck()
                try await replicator.receive(requests, from: peer) { sent, ingested in
                    let outcome = ingested.outcome
                    let deferred = ingested.deferred.values.reduce(0, +)
                    let decided = (outcome?.accepted.count ?? 0) + (outcome?.rejected.count ?? 0) + (outcome?.held.count ?? 0)
                    ack.accepted += UInt64(outcome?.accepted.count ?? 0)
                    ack.rejected += UInt64(outcome?.rejected.count ?? 0)
                    ack.held += UInt64(outcome?.held.count ?? 0)
                    ack.deferred += UInt64(deferred)
                    ack.duplicates += UInt64(max(0, sent - decided - deferred))
                }
                ack.versionVector = replicator.oplog.announcement
                return ack
            }
        }
        router.serverStreaming(SyncAPI.revocations) { request, responses, context in
            try await RevocationExchange.serve(
                request, from: try peer(of: context), book: replicator.revocations,
                maxMessageBytes: responses.maximumMessageSize, write: responses.write)
        }
        router.unary(SyncAPI.fetchCertificates) { request, context in
            _ = try peer(of: context)
            return Kiem_V1_FetchCertificatesResponse.with { response in
                response.certificates = request.nodeIds.flatMap { id in
                    (try? NodeID(id)).map(replicator.directory.certificates(of:)) ?? []
                }
            }
        }
    }

    private static func peer(of context: RPCServerContext) throws -> PeerIdentity {
        guard let peer = context.peer else {
            throw RPCError(code: .unauthenticated, message: "the Sync service needs a TLS client certificate")
        }
        return peer
    }
}
