import KiemConfiguration
import KiemCore
import KiemProtocol
import KiemTransport
import Logging
import SwiftProtobuf

/// `kiemctl sync`: one anti-entropy round with a peer, now, on a connection
/// of its own beside the live session: handshake, pull everything the peer
/// holds beyond this node's vector, push everything it lacks. Reports each
/// stage as a ``Kiem_V1_SyncProgress``.
struct OnDemandSync: Sendable {
    let peer: NodeConfiguration.Peer
    let replicator: Replicator
    let tls: KiemTLSContext
    let logger: Logger

    /// Runs the round; failures end in a `STAGE_FAILED` report, not a throw.
    func run(report: @Sendable (Kiem_V1_SyncProgress) async -> Void) async {
        var progress = Kiem_V1_SyncProgress.with { $0.peer = peer.node.rawValue }
        func send(_ stage: Kiem_V1_SyncProgress.Stage) async {
            progress.stage = stage
            await report(progress)
        }
        await send(.connecting)
        do {
            try await PeerConnection.withHandshake(to: peer, replicator: replicator, tls: tls, logger: logger) { client, identity, theirs in
                let ours = replicator.oplog.versionVector
                progress.opsExpected = theirs.missing(from: ours).reduce(0) { $0 + UInt64($1.seqs.count) }
                await send(.handshake)

                await send(.pulling)
                let request = Kiem_V1_PullRequest.with { $0.have = replicator.oplog.announcement }
                try await client.serverStreaming(SyncAPI.pull, request: request) { batches in
                    try await replicator.receive(batches, from: identity) { sent, _ in
                        progress.opsReceived += UInt64(sent)
                        await send(.pulling)
                    }
                }

                await send(.pushing)
                let ack = try await client.clientStreaming(SyncAPI.push) { writer in
                    try await replicator.send(
                        to: peer.node, live: false, limits: BatchLimits(maxMessageBytes: writer.maximumMessageSize), write: writer.write)
                }
                progress.opsSent = ack.accepted + ack.rejected + ack.held + ack.duplicates
            }
            await send(.done)
        } catch {
            progress.error = "\(error)"
            await send(.failed)
        }
    }
}
