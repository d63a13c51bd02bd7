import Foundation
import KiemConfiguration
import KiemCore
import KiemWire
import SwiftProtobuf
import KiemProtocol
import KiemStore
import KiemTransport
import Logging
import NIOPosix
import Synchronization

/// Moves ops between this node and its peers, in both call directions:
/// sends what a peer lacks (once, or live as the store changes) and takes
/// in what a peer sends. The Sync service's handlers and the peer links
/// are thin shells around it.
final class Replicator: Sendable {
    let oplog: OpLog
    let directory: OriginDirectory
    let registry: PeerRegistry
    let changes: ChangeSignal
    /// The revocations the node holds, exchanged on every session.
    let revocations: RevocationBook
    let role: NodeConfiguration.Role
    let counters: NodeCounters
    private let pool: NIOThreadPool
    private let logger: Logger
    private let stopping = Mutex(false)
    private let admission: Mutex<SyncAdmission>

    init(oplog: OpLog, directory: OriginDirectory, registry: PeerRegistry, changes: ChangeSignal,
         revocations: RevocationBook, role: NodeConfiguration.Role, counters: NodeCounters, streamLimits: SyncAdmission.Limits = .standard,
         pool: NIOThreadPool = .singleton, logger: Logger) {
        self.oplog = oplog
        self.directory = directory
        self.registry = registry
        self.changes = changes
        self.revocations = revocations
        self.role = role
        self.counters = counters
        self.pool = pool
        self.logger = logger
        self.admission = Mutex(SyncAdmission(limits: streamLimits))
    }

    /// Runs a streaming Sync call of `peer` within the node's limits on
    /// such calls (``SyncAdmission``).
    /// - Throws: `RESOURCE_EXHAUSTED` when the peer, or all peers together,
    ///   already run as many as allowed; what `body` throws.
    func admitted<T>(_ peer: NodeID, _ body: () async throws -> T) async throws -> T {
        do {
            try admission.withLock { (state: inout SyncAdmission) throws(SyncAdmission.Refusal) in try state.admit(peer) }
        } catch {
            // A peer that keeps calling must not flood the log: the 1st, 2nd,
            // 4th, 8th, … refusal is logged, every one is counted.
            let refused = counters.recordRefusedStream(from: peer)
            if refused & (refused - 1) == 0 {
                logger.warning("refused a sync call over the limit", metadata: [
                    "kiem.peer": "\(peer)", "kiem.reason": "\(error)", "kiem.refused_total": "\(refused)",
                ])
            }
            throw RPCError(code: .resourceExhausted, message: error.description)
        }
        defer { admission.withLock { $0.release(peer) } }
        return try await body()
    }

    var store: KiemStore { oplog.store }

    /// Features this node speaks (HandshakeRequest.features).
    static let features = ["subscribe", "push", "fetch-certificates", "batch-certificates"]

    /// This node's side of a handshake.
    func handshakeRequest() -> Kiem_V1_HandshakeRequest {
        Kiem_V1_HandshakeRequest.with {
            $0.nodeID = oplog.node.rawValue
            $0.organisation = oplog.organisation.rawValue
            $0.role = role.proto
            $0.versionVector = oplog.announcement
            $0.features = Self.features
            $0.softwareVersion = KiemSoftware.version
            $0.wallClockMillis = Self.wallMillis()
        }
    }

    /// Records what `peer` holds, from the vector it announced (a handshake,
    /// a Pull's or Subscribe's `have`). An origin whose chain hash at the
    /// announced seq differs from this node's at the same seq counts as not
    /// held: the two hold different histories of it (it signed both), so this
    /// node sends its log from the start and the peer finds where the two
    /// part and keeps the proof (WIRE.md section 13, "Equivocation").
    /// - Returns: what the peer is taken to hold.
    /// - Throws: `INVALID_ARGUMENT` for a vector that does not decode or a
    ///   chain hash that is not 32 bytes.
    @discardableResult
    func learnKnowledge(of peer: NodeID, from announced: Kiem_V1_VersionVector) throws -> VersionVector {
        var chains: [NodeID: [UInt8]] = [:]
        for entry in announced.entries where !entry.chain.isEmpty {
            guard entry.chain.count == 32 else {
                throw RPCError(code: .invalidArgument, message: "the chain hash announced for \(entry.origin) is not 32 bytes")
            }
            if let origin = try? NodeID(entry.origin) { chains[origin] = [UInt8](entry.chain) }
        }
        let (vector, diverged) = SendPlanner.knowledge(
            announced: try VersionVector(proto: announced), chains: chains, heads: oplog.heads)
        for origin in diverged {
            logger.warning("a peer holds another history of an origin at the same seq; sending it the origin's log from the start", metadata: [
                "kiem.peer": "\(peer)", "kiem.origin": "\(origin)",
            ])
        }
        registry.setKnowledge(of: peer, to: vector)
        oplog.peer(peer, holds: vector)
        return vector
    }

    /// Answers a peer's handshake (the server side).
    func answer(_ request: Kiem_V1_HandshakeRequest, from peer: PeerIdentity) async throws -> Kiem_V1_HandshakeResponse {
        guard request.nodeID == peer.node.rawValue, request.organisation == peer.organisation.rawValue else {
            throw RPCError(code: .permissionDenied, message:
                "the handshake names \(request.organisation)/\(request.nodeID) but the certificate \(peer.organisation)/\(peer.node)")
        }
        try await directory.learn(peer)
        try learnKnowledge(of: peer.node, from: request.versionVector)
        return Kiem_V1_HandshakeResponse.with {
            $0.nodeID = oplog.node.rawValue
            $0.organisation = oplog.organisation.rawValue
            $0.role = role.proto
            $0.versionVector = oplog.announcement
            $0.features = Self.features.filter(request.features.contains)
            $0.softwareVersion = KiemSoftware.version
            $0.wallClockMillis = Self.wallMillis()
        }
    }

    /// Sends `peer` every op it lacks, in verifiable batches within
    /// `limits`, starting from what it is known to hold; with `live`, keeps
    /// sending new ops as the store changes until cancelled. Memory stays
    /// bounded by one batch: `write` waits for the receiver's flow-control
    /// credit. What goes into each batch is the ``SendPlanner``'s decision.
    /// - Parameter origins: only these origins' ops (nil: all).
    /// - Throws: `RESOURCE_EXHAUSTED` (``BatchTooLarge``) when a signed span
    ///   does not fit `limits`, or what `write` throws.
    func send(
        to peer: NodeID, live: Bool, limits: BatchLimits, origins: Set<NodeID>? = nil,
        write: @Sendable (Kiem_V1_OpBatch) async throws -> Void
    ) async throws {
        var planner = SendPlanner(limits: limits)
        // What this stream sent: only it may count on that (another stream
        // with the same peer may have broken before its ops arrived).
        var sent = VersionVector()
        var carriedProofs: [NodeID: UInt64] = [:]
        var anchors: [NodeID: UInt64] = [:]
        repeat {
            let generation = changes.generation
            // Proofs first: a quarantined origin's log may end unsigned, at
            // the seq its proof vouches for.
            try await sendProofs(carried: &carriedProofs, anchors: &anchors, limits: limits, write: write)
            let known = registry.knowledge(of: peer).merging(sent)
            let store = self.store
            var cursor = try await pool.runIfActive {
                try store.missingOps(for: known, batchSize: SendPlanner.readBatchSize, origins: origins)
            }
            planner.restart(anchors: anchors)
            planning: while true {
                let step: SendPlanner.Step
                do {
                    step = try planner.next(certificates: directory.certificates(of:))
                } catch {
                    logger.error("cannot send a signed span within the peer's limits", metadata: [
                        "kiem.peer": "\(peer)", "kiem.error": "\(error)",
                    ])
                    throw error.rpcError
                }
                switch step {
                case let .send(batch):
                    try await write(batch.message)
                    for item in batch.ops { sent.advance(item.op.id.origin, to: item.op.id.seq) }
                    registry.peer(peer, wasSent: batch.ops.map(\.op.id))
                    registry.update(peer) { $0.opsSent += UInt64(batch.ops.count) }
                case .needOps:
                    let (ops, advanced) = try await pool.runIfActive { [cursor] in
                        var copy = cursor
                        return (try copy.nextEncoded(), copy)
                    }
                    cursor = advanced
                    if let ops { planner.add(ops) } else { planner.finishInput() }
                case .done:
                    break planning
                }
            }
            if live { await changes.wait(after: generation) }
        } while live && !Task.isCancelled && !isStopping
        try Task.checkCancellation()
    }

    /// Ends every live send loop (their calls end with OK), for shutdown.
    func stop() {
        stopping.withLock { $0 = true }
        changes.notify()
    }

    /// Whether the node is shutting down (live streams end).
    var isStopping: Bool { stopping.withLock { $0 } }

    /// Verifies and applies every batch of `batches`, in order, decoding
    /// the next batch while the previous one applies (one batch ahead, so
    /// a slow store still holds back the sender through flow control).
    /// - Parameter applied: called after each batch with the number of ops
    ///   the peer sent and what taking them in did.
    /// - Throws: what the stream throws, or for a batch that is refused
    ///   (see ``receive(_:from:)``); the batches before it stay applied.
    ///   `ABORTED` once an origin whose ops this stream carried and the
    ///   held-op quota deferred may be taken again: the sender has moved
    ///   past them, so a new stream must send them (WIRE.md section 13,
    ///   "Held ops").
    func receive(
        _ batches: RPCMessageStream<Kiem_V1_OpBatch>, from peer: PeerIdentity,
        applied: (_ sent: Int, _ ingested: OpLog.Ingested) async -> Void = { _, _ in }
    ) async throws {
        let deferred = StreamDeferrals()
        try await withThrowingTaskGroup(of: ReadAhead?.self) { group in
            let (first, pool) = (batches.makeAsyncIterator(), self.pool)
            group.addTask { try await Self.decodeNext(first, on: pool) }
            while let next = try await group.next(), let ahead = next {
                let rest = ahead.rest
                group.addTask { try await Self.decodeNext(rest, on: pool) }
                let ingested = try await receive(ahead.batch, from: peer)
                await applied(ahead.batch.count, ingested)
                if deferred.add(ingested.deferred.keys) {
                    group.addTask {
                        try await self.endWhenResumed(deferred)
                        return nil
                    }
                }
                try endIfResumed(deferred)
            }
            group.cancelAll()
        }
    }

    /// Returns once cancelled; throws `ABORTED` as soon as an origin in
    /// `deferred` is no longer deferred (a batch of another stream may
    /// bring its held ops down while this one idles).
    private func endWhenResumed(_ deferred: StreamDeferrals) async throws {
        while !Task.isCancelled {
            let generation = changes.generation
            try endIfResumed(deferred)
            await changes.wait(after: generation)
        }
    }

    /// Throws `ABORTED` if an origin in `deferred` is no longer deferred by
    /// the held-op quota: the stream's sender has moved past its ops.
    private func endIfResumed(_ deferred: StreamDeferrals) throws {
        let current = oplog.deferredOrigins
        guard let resumed = deferred.origins.sorted().first(where: { current[$0] == nil }) else { return }
        throw RPCError(code: .aborted, message: """
            ops of \(resumed) that this stream carried were deferred by the held-op quota and can be taken now; \
            send them on a new stream
            """)
    }

    /// A batch read ahead, and the stream to read the next one from.
    private typealias ReadAhead = (batch: ReceivedBatch, rest: RPCMessageStream<Kiem_V1_OpBatch>.AsyncIterator)

    /// Reads the next batch and decodes it on `pool` (strict decoding and
    /// SHA-256 of up to a frame's bytes would hold up the connection's event
    /// loop); nil at the end of the stream.
    private static func decodeNext(
        _ iterator: RPCMessageStream<Kiem_V1_OpBatch>.AsyncIterator, on pool: NIOThreadPool
    ) async throws -> ReadAhead? {
        var iterator = iterator
        guard let message = try await iterator.next() else { return nil }
        return (try await pool.runIfActive { ReceivedBatch(message, receivedMillis: wallMillis()) }, iterator)
    }

    /// Verifies and applies one batch a peer sent.
    /// - Throws: ``RPCError``: `DATA_LOSS` for an altered, invented or
    ///   unverifiable op (nothing of the batch is stored), `FAILED_PRECONDITION`
    ///   for a gap or an op from too far in the future.
    private func receive(_ batch: ReceivedBatch, from peer: PeerIdentity) async throws -> OpLog.Ingested {
        let started = ContinuousClock.now
        do {
            for certificate in batch.certificates { try await directory.learn(certificate) }
            for proof in try batch.proofs.get() { try await take(proof, from: peer.node) }
            let ops = try batch.ops.get()
            registry.peer(peer.node, holds: ops.map(\.op.id))
            let oplog = self.oplog
            let directory = self.directory
            let ingested = try await pool.runIfActive {
                try oplog.ingest(ops, identity: directory.identity(of:), wallMillis: Self.wallMillis())
            }
            let outcome = ingested.outcome
            record(ingested, from: peer.node)
            registry.update(peer.node) {
                $0.opsReceived += UInt64(ops.count)
                $0.opsRejected += UInt64(outcome?.rejected.count ?? 0)
                $0.lastSeen = Date()
                $0.lastBatch = $0.lastSeen
            }
            guard let outcome else { return ingested }
            counters.recordApplied(from: peer.node, accepted: outcome.accepted.count, rejected: outcome.rejected.count,
                                   held: outcome.held.count, duration: ContinuousClock.now - started)
            for (op, rejection) in outcome.rejected {
                logger.notice("op rejected by the rules", metadata: [
                    "kiem.peer": "\(peer.node)", "kiem.op": "\(op.id)", "kiem.rule": "\(rejection.rule.rawValue)",
                    "kiem.reason": "\(rejection.message)",
                ])
            }
            logger.debug("batch applied", metadata: [
                "kiem.peer": "\(peer.node)", "kiem.ops": "\(ops.count)", "kiem.accepted": "\(outcome.accepted.count)",
                "kiem.duration_ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
            changes.notify()
            return ingested
        } catch let error as IngestError {
            if case let .equivocation(origin, seq) = error {
                counters.recordEquivocation(by: origin)
                logger.error("""
                    an origin signed two different ops with one seq; the proof is kept (kiemctl status) and passed on, \
                    and the origin's ops from that seq are removed and no longer accepted
                    """, metadata: ["kiem.origin": "\(origin)", "kiem.seq": "\(seq)", "kiem.peer": "\(peer.node)"])
                changes.notify()
            } else if error.isIntegrityFailure {
                counters.recordIntegrityFailure(from: peer.node)
                registry.update(peer.node) { $0.integrityFailures += 1 }
                logger.error("refused a batch that fails verification", metadata: [
                    "kiem.peer": "\(peer.node)", "kiem.error": "\(error)", "kiem.ops": "\(batch.count)",
                ])
            } else {
                logger.warning("refused a batch", metadata: ["kiem.peer": "\(peer.node)", "kiem.error": "\(error)"])
            }
            registry.update(peer.node) { $0.lastError = "\(error)" }
            throw error.rpcError
        }
    }

    /// Counts and logs what the held-op quota deferred or resumed.
    private func record(_ ingested: OpLog.Ingested, from peer: NodeID) {
        for (origin, count) in ingested.deferred { counters.recordDeferred(count, of: origin) }
        for (origin, seq) in ingested.outcome?.deferred ?? [:] {
            logger.notice("an origin reached its held-op quota; its ops from this seq on are deferred", metadata: [
                "kiem.origin": "\(origin)", "kiem.seq": "\(seq)", "kiem.peer": "\(peer)",
                "kiem.quota": "\(oplog.heldOpQuota.perOrigin)",
            ])
        }
        for origin in ingested.resumed {
            logger.notice("an origin is down to half its held-op quota; its deferred ops are taken again", metadata: [
                "kiem.origin": "\(origin)",
            ])
        }
    }

    /// Takes in a proof of equivocation a peer passed on: if it is new
    /// here, the origin is quarantined from its seq (``OpLog/take(_:identity:)``)
    /// and every send loop passes the proof on.
    private func take(_ proof: EquivocationRecord, from peer: NodeID) async throws {
        let (oplog, directory) = (self.oplog, self.directory)
        if proof.seq < oplog.proofSeqs[proof.origin] ?? .max {
            // Likely new: its quarantine decides every stored op again.
            logger.notice("checking a new proof of equivocation; if it holds, every stored op is decided again", metadata: [
                "kiem.origin": "\(proof.origin)", "kiem.seq": "\(proof.seq)", "kiem.peer": "\(peer)",
            ])
        }
        let started = ContinuousClock.now
        guard try await pool.runIfActive({ try oplog.take(proof, identity: directory.identity(of:)) }) else { return }
        counters.recordEquivocation(by: proof.origin)
        logger.error("""
            a peer passed on a proof that an origin signed two different ops with one seq; the origin's ops from \
            that seq are removed and no longer accepted (kiemctl status shows the proof)
            """, metadata: [
                "kiem.origin": "\(proof.origin)", "kiem.seq": "\(proof.seq)", "kiem.peer": "\(peer)",
                "kiem.duration_ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        changes.notify()
    }

    /// Sends the proofs of equivocation the node holds that this stream has
    /// not carried, each with its origin's certificate, in batches within
    /// `limits` (WIRE.md section 13, "Equivocation").
    /// - Parameters:
    ///   - carried: the seq of each proof the stream carried or could not, by origin.
    ///   - anchors: where each origin whose proof the stream carried may end
    ///     a run unsigned (``SendPlanner/init(limits:anchors:)``).
    private func sendProofs(
        carried: inout [NodeID: UInt64], anchors: inout [NodeID: UInt64], limits: BatchLimits,
        write: @Sendable (Kiem_V1_OpBatch) async throws -> Void
    ) async throws {
        guard oplog.proofSeqs != carried else { return }
        let store = self.store
        let proofs = try await pool.runIfActive { try store.equivocations() }.filter { carried[$0.origin] != $0.seq }
        for proof in proofs {
            carried[proof.origin] = proof.seq
            var batch = Kiem_V1_OpBatch()
            batch.equivocations = [proof.proto]
            batch.certificates = directory.certificates(of: proof.origin)
            let size = (try batch.serializedBytes() as [UInt8]).count
            guard size <= limits.maxMessageBytes else {
                logger.warning("a proof of equivocation is larger than the peer's frame and is not passed on", metadata: [
                    "kiem.origin": "\(proof.origin)", "kiem.bytes": "\(size)", "kiem.limit": "\(limits.maxMessageBytes)",
                ])
                continue
            }
            try await write(batch)
            anchors[proof.origin] = proof.seq - 1
        }
    }

    /// Writes a local change and wakes the senders.
    /// - Throws: ``WriteError/roleForbids(_:)`` when a regie node is asked
    ///   for anything but an annotation or endorsement: the regie steers, it does not own
    ///   or run initiatives.
    func write(_ change: LocalChange, to initiative: InitiativeID?) async throws -> SignedOp {
        if role == .regie, !Self.regieMayWrite(change) {
            throw WriteError.roleForbids(
                "a regie node only annotates and endorses initiatives; \(oplog.organisation) cannot create, edit or adopt them")
        }
        let oplog = self.oplog
        let signed = try await pool.runIfActive {
            try oplog.write(change, to: initiative, wallMillis: Self.wallMillis())
        }
        counters.recordLocalWrite()
        changes.notify()
        return signed
    }

    /// What a regie node writes: annotations and endorsements (its own
    /// portfolio view of other organisations' work), nothing of the
    /// initiatives themselves.
    static func regieMayWrite(_ change: LocalChange) -> Bool {
        switch change {
        case .setAnnotation, .setEndorsement: true
        default: false
        }
    }

    static func wallMillis() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}

extension NodeConfiguration.Role {
    var proto: Kiem_V1_NodeRole {
        switch self {
        case .agency: .agency
        case .regie: .regie
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
