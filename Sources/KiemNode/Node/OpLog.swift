package import KiemCore
package import KiemStore
import KiemProtocol
import NIOPosix
import Synchronization

/// The node's one writer: every op that enters the store, local or remote,
/// goes through here, one batch at a time.
///
/// Local writes get the next seq and HLC, are judged by KiemCore's rules
/// before they take a seq (a refused write leaves no trace), are signed, and
/// are durable when ``write(_:to:wallMillis:)`` returns. Remote batches are
/// decoded, stripped of what the store holds already, verified against each
/// origin's chain and certificate, checked against the clock, and applied in
/// one transaction. An origin caught signing two different ops with one seq,
/// here or by a peer whose proof arrives, is quarantined from that seq: the
/// proof is stored, the origin's ops from that seq are removed and what was
/// built on them is decided again, and no later op of it is accepted
/// (WIRE.md section 13, "Equivocation"). So that the node itself never
/// signs a seq twice, local writes wait while the ``OwnLogGate`` says the
/// store may lack ops the node signed (a restored store, or a peer that
/// holds more of the node's own log); those ops arrive from peers like any
/// origin's, and the node's chain continues after them. Methods block on
/// SQLite: call them from a thread pool.
final class OpLog: Sendable {
    private struct State {
        /// What the replica knows: heads, vector, quarantine, clock.
        var replica: IngestPlanner
        var writer: OriginChainWriter
    }

    let store: KiemStore
    let node: NodeID
    let organisation: OrganisationID
    private let state: Mutex<State>
    /// What the last committed batch left, readable while the next batch
    /// is being applied (`state` is held for the whole apply).
    private let published: Mutex<Published>
    /// The seq of each stored proof of equivocation, by origin, readable
    /// while a batch is being applied.
    private let proofs: Mutex<[NodeID: UInt64]>
    /// Whether a local write may take the next seq; fed from peers'
    /// announcements without waiting for the batch in flight.
    private let gate: Mutex<OwnLogGate>
    /// The restored store's mark, removed once the gate lets writes through.
    private let restoreMark: Mutex<RestoreMark?>
    /// Signs local ops; kept to continue the chain after own ops that came
    /// back from peers.
    private let key: OriginSigningKey
    /// How many held ops one origin may have here.
    let heldOpQuota: HeldOpQuota

    /// Continues the store's log.
    /// - Parameter restoreMark: set when the store was restored or is being
    ///   rebuilt (``RestoreMark``): no local write until a peer said how far
    ///   the node's own log goes.
    /// - Throws: `StoreError`, or ``WriteError/store(_:)`` when the store holds
    ///   ops of this node without their proofs (it was not written by kiemd).
    init(store: KiemStore, node: NodeID, organisation: OrganisationID, key: OriginSigningKey,
         maxSkewMillis: UInt64 = HybridLogicalClock.defaultMaxSkewMillis, restoreMark: RestoreMark? = nil,
         heldOpQuota: HeldOpQuota = HeldOpQuota()) throws {
        self.store = store
        self.heldOpQuota = heldOpQuota
        self.key = key
        self.restoreMark = Mutex(restoreMark)
        gate = Mutex(OwnLogGate(mark: restoreMark?.reason))
        self.node = node
        self.organisation = organisation
        let vector = try store.versionVector()
        let heads = try store.chainHeads()
        let own = heads[node] ?? OriginChainState()
        guard own.seq == vector[node] else {
            throw WriteError.inconsistentStore(
                "\(store.path) holds \(vector[node]) ops of \(node) but their proofs only up to \(own.seq)")
        }
        let quarantined = try store.quarantinedOrigins()
        state = Mutex(State(
            replica: IngestPlanner(
                heads: heads, vector: vector, quarantined: quarantined,
                clock: HybridLogicalClock(last: try store.latestHeadTimestamp(), maxSkewMillis: maxSkewMillis)),
            writer: OriginChainWriter(origin: node, key: key, seq: own.seq, chain: own.chain)))
        published = Mutex(Published(vector: vector, announced: vector, heads: heads, deferred: [:]))
        proofs = Mutex(quarantined.mapValues { $0.seq + 1 })
    }

    /// The planner's vectors and heads, as the last committed batch left them.
    private struct Published {
        var vector: VersionVector
        var announced: VersionVector
        var heads: [NodeID: OriginChainState]
        var deferred: [NodeID: UInt64]
    }

    /// What the store holds.
    var versionVector: VersionVector { published.withLock { $0.vector } }

    /// What to tell peers the node holds (handshakes, `have`, acks): the
    /// store's vector without origins whose history a peer offered diverged
    /// (``IngestError/diverged(origin:seq:)``), so that peers send those logs
    /// from their start; with each origin's chain hash at its entry, so that
    /// a peer holding another history at the same seq does the same.
    var announcement: Kiem_V1_VersionVector {
        let (announced, heads) = published.withLock { ($0.announced, $0.heads) }
        return announced.proto(heads: heads)
    }

    /// Every origin's verified chain head.
    var heads: [NodeID: OriginChainState] { published.withLock { $0.heads } }

    /// Origins cut by the held-op quota, with the seq their log ends at here
    /// (``IngestPlanner/deferred``).
    var deferredOrigins: [NodeID: UInt64] { published.withLock { $0.deferred } }

    /// Makes the planner's vectors and heads readable outside the state lock.
    private func publish(_ replica: IngestPlanner) {
        let update = Published(
            vector: replica.vector, announced: replica.announcedVector, heads: replica.heads, deferred: replica.deferred)
        published.withLock { $0 = update }
    }

    /// Records how far `peer` holds this node's own log, from a vector it
    /// announced (``Replicator/learnKnowledge(of:from:)``).
    func peer(_ peer: NodeID, holds vector: VersionVector) {
        gate.withLock { $0.peer(peer, holdsOwnOpsUpTo: vector[node]) }
    }

    /// Why a local write would wait now, nil when it would be made.
    var writesPaused: String? {
        let own = versionVector[node]
        if case let .wait(reason) = gate.withLock({ $0.verdict(ownSeq: own) }) { return reason }
        return nil
    }

    /// Asks the gate whether the op after `ownSeq` may be signed; removes
    /// the restore mark once the store caught up.
    private func admitWrite(ownSeq: UInt64) throws(WriteError) {
        switch gate.withLock({ $0.verdict(ownSeq: ownSeq) }) {
        case .write:
            return
        case let .wait(reason):
            throw .ownLogBehind(reason)
        case .writeAndClearMark:
            do {
                try restoreMark.withLock { mark in
                    try mark?.remove()
                    mark = nil
                }
            } catch {
                throw .store(.io(path: store.path, reason: "cannot remove the restore mark: \(error)"))
            }
            gate.withLock { $0.clearMark() }
        }
    }

    /// The seq of each stored proof of equivocation, by origin: the origin
    /// is quarantined from there.
    var proofSeqs: [NodeID: UInt64] { proofs.withLock { $0 } }

    /// Waits for the batch in flight, then closes the store; later writes
    /// fail with the store's "closed" error. The wait happens on `pool`, so
    /// no task's thread is held while the batch ends.
    func close(on pool: NIOThreadPool) async {
        do {
            try await pool.runIfActive { self.close() }
        } catch {
            close()  // the pool is stopped: nothing else runs on it any more
        }
    }

    /// Waits for the batch in flight, then closes the store (blocking: call it
    /// from a thread pool).
    private func close() {
        state.withLock { _ in try? store.close() }
    }

    /// Writes a local change as the next op of this node.
    /// - Parameter initiative: the initiative changed; ignored for a creation.
    /// - Returns: the op, stored and signed.
    func write(_ change: LocalChange, to initiative: InitiativeID?, wallMillis: UInt64) throws(WriteError) -> SignedOp {
        try state.withLock { state throws(WriteError) -> SignedOp in
            if let anchor = state.replica.quarantined[node] {
                throw .inconsistentStore("""
                    this node's own key signed two different ops with seq \(anchor.seq + 1) (was its database \
                    restored from an old copy?); every member refuses its ops from there, so it writes no more \
                    (kiemctl status shows the proof)
                    """)
            }
            try admitWrite(ownSeq: state.replica.vector[node])
            var current: Initiative?
            if case .create = change {
                current = nil
            } else {
                guard let initiative else { throw .invalid("no initiative given") }
                do {
                    current = try store.initiativeState(initiative)
                } catch {
                    throw .store(storeError(error))
                }
                guard current != nil else { throw .notFound(initiative) }
            }
            var clock = state.replica.clock
            let hlc = clock.tick(wallMillis: wallMillis)
            let id: InitiativeID
            if case .create = change { id = InitiativeID(timestamp: hlc, node: node) } else { id = initiative! }
            let op = Op(id: OpID(origin: node, seq: state.replica.vector[node] + 1), hlc: hlc, author: organisation,
                        initiative: id, mutation: change.mutation(on: current, author: organisation))
            var lookupFailure: (any Error)?
            let verdict = Rules.judge(op, initiative: current) { reference in
                do {
                    guard let referenced = try store.acceptedOp(reference) else { return .unknown }
                    return .accepted(referenced)
                } catch {
                    lookupFailure = error
                    return .unknown
                }
            }
            if let lookupFailure { throw .store(storeError(lookupFailure)) }
            switch verdict {
            case .accept: break
            case let .reject(rejection): throw .refused(rejection)
            case let .hold(key): throw .invalid("it depends on \(key), which this node does not hold")
            }
            // Own ops that came back from peers advanced the head past the writer.
            let head = state.replica.heads[node] ?? OriginChainState()
            var writer = state.writer.seq == head.seq
                ? state.writer : OriginChainWriter(origin: node, key: key, seq: head.seq, chain: head.chain)
            let signed: SignedOp
            do {
                signed = try writer.prove(op)
            } catch {
                throw .signing("\(error)")
            }
            do {
                try store.apply([EncodedOp(op, proof: signed.proof)])
            } catch {
                throw .store(storeError(error))
            }
            var heads = state.replica.heads
            heads[node] = OriginChainState(seq: op.id.seq, chain: signed.proof.chain)
            state.replica.commit([EncodedOp(op, proof: signed.proof)], heads: heads, clock: clock)
            state.writer = writer
            publish(state.replica)
            return signed
        }
    }

    /// A store call's failure as a ``StoreError`` (the store throws them;
    /// anything else it let through is an I/O failure of its file).
    private func storeError(_ error: any Error) -> StoreError {
        error as? StoreError ?? .io(path: store.path, reason: "\(error)")
    }

    /// What taking in a batch did.
    struct Ingested: Sendable {
        /// What changed (nil when every op was a duplicate or left out).
        var outcome: ApplyOutcome?
        /// Per origin whose ops the batch carried but the node did not take
        /// because the held-op quota deferred them, how many: the sender must
        /// send them again once ``deferredOrigins`` no longer lists it.
        var deferred: [NodeID: Int] = [:]
        /// Origins that are under the held-op quota again after this batch:
        /// their deferral ended.
        var resumed: Set<NodeID> = []
    }

    /// Verifies and applies a batch of remote ops, in one transaction. Ops
    /// of quarantined origins are left out, and so are ops of origins the
    /// held-op quota deferred. What is decided is the ``IngestPlanner``'s;
    /// this method reads what it asks for and stores what it accepts.
    /// - Parameter identity: the certificate identity of an origin, if known.
    /// - Throws: ``IngestError/equivocation(origin:seq:)`` when the batch
    ///   proves an origin signed two different ops with one seq; the proof is
    ///   stored, the origin quarantined, and nothing of the batch applied.
    func ingest(
        _ received: [EncodedOp], identity: (NodeID) -> OriginIdentity?, wallMillis: UInt64
    ) throws(IngestError) -> Ingested {
        try state.withLock { state throws(IngestError) -> Ingested in
            let sorted = state.replica.sort(received)
            var stored: [NodeID: [UInt64: [UInt8]]] = [:]
            for (origin, seqs) in sorted.chainsNeeded {
                stored[origin] = try IngestError.fromStore { try store.chains(of: origin, seqs: seqs) }
            }
            if let conflicting = IngestPlanner.firstConflict(in: sorted.held, stored: stored) {
                switch conflict(at: conflicting, batch: sorted.ops, identity: identity, wallMillis: wallMillis) {
                case let .quarantined(proof):
                    quarantine(proof, in: &state)
                    throw .equivocation(origin: proof.origin, seq: proof.seq)
                case let .refused(error):
                    throw error
                }
            }
            guard !sorted.fresh.isEmpty else {
                settle(sorted, in: &state)
                return Ingested(outcome: nil, deferred: sorted.droppedDeferred)
            }
            let heads: [NodeID: OriginChainState]
            let clock: HybridLogicalClock
            do throws(IngestError) {
                (heads, clock) = try state.replica.verify(sorted.fresh, identity: identity, wallMillis: wallMillis)
            } catch .diverged(let origin, let seq) {
                state.replica.diverged.insert(origin)
                publish(state.replica)
                throw .diverged(origin: origin, seq: seq)
            }
            let outcome = try IngestError.fromStore { try store.apply(sorted.fresh, quota: heldOpQuota) }
            let taken = state.replica.taken(of: sorted.fresh, cutAt: outcome.deferred, verified: heads)
            state.replica.commit(taken.stored, heads: taken.heads, clock: clock)
            state.replica.deferOrigins(cutAt: outcome.deferred)
            let resumed = try resumeDeferred(after: outcome, in: &state)
            settle(sorted, in: &state)
            publish(state.replica)
            return Ingested(
                outcome: outcome, deferred: sorted.droppedDeferred.merging(taken.cut, uniquingKeysWith: +), resumed: resumed)
        }
    }

    /// Ends the deferral of every deferred origin that `outcome`'s
    /// decisions took down to half its held-op quota or less. Only an origin
    /// with an op decided in the batch can have lost held ops (a deferred
    /// origin's new ops are dropped, so its decided ops are released ones),
    /// so an origin stuck at its quota costs no count per batch. Half, not
    /// just under: each resumption costs the senders a new stream, so an
    /// origin whose held ops are being released resumes once, not after
    /// every batch.
    private func resumeDeferred(after outcome: ApplyOutcome, in state: inout State) throws(IngestError) -> Set<NodeID> {
        guard !state.replica.deferred.isEmpty else { return [] }
        let decided = Set(outcome.accepted.map(\.origin)).union(outcome.rejected.map(\.op.origin))
        var resumed: Set<NodeID> = []
        for origin in state.replica.deferred.keys where decided.contains(origin) && outcome.deferred[origin] == nil {
            let held = try IngestError.fromStore { try store.heldOpCount(of: origin) }
            if held <= heldOpQuota.resumeAt { resumed.insert(origin) }
        }
        state.replica.resume(resumed)
        return resumed
    }

    /// Takes in a proof of equivocation a peer sent (WIRE.md section 13,
    /// "Equivocation"): checks it against the origin's certificate, stores it
    /// and quarantines the origin from its seq, unless this node keeps a
    /// proof for the origin at the same or a lower seq.
    /// - Returns: whether the proof was new here.
    /// - Throws: ``IngestError/integrity(_:)`` or ``IngestError/malformed(_:)``
    ///   when it proves nothing (the sender is to blame).
    func take(_ proof: EquivocationRecord, identity: (NodeID) -> OriginIdentity?) throws(IngestError) -> Bool {
        guard let originIdentity = identity(proof.origin) else { throw .integrity(.unknownOrigin(proof.origin)) }
        try proof.verify(identity: originIdentity)
        return try state.withLock { state throws(IngestError) -> Bool in
            if let kept = state.replica.quarantined[proof.origin], kept.seq < proof.seq { return false }
            guard try IngestError.fromStore({ try store.quarantine(proof) }) else { return false }
            quarantine(proof, in: &state)
            return true
        }
    }

    /// Ends divergences an accepted batch settles (``IngestPlanner/settle(_:)``).
    private func settle(_ sorted: IngestPlanner.Sorted, in state: inout State) {
        guard !state.replica.diverged.isEmpty else { return }
        state.replica.settle(sorted)
        publish(state.replica)
    }

    /// Records in the planner a quarantine the store made.
    private func quarantine(_ proof: EquivocationRecord, in state: inout State) {
        state.replica.quarantine(proof.origin, endingAt: OriginChainState(seq: proof.seq - 1, chain: proof.previousChain))
        publish(state.replica)
        proofs.withLock { $0[proof.origin] = proof.seq }
    }

    /// What an op whose chain hash differs from the stored one is.
    private enum Conflict {
        /// A forgery by whoever relayed it, or a failure of this node.
        case refused(IngestError)
        /// The origin's equivocation: its run verifies from the stored chain
        /// before it. The proof is stored and the origin quarantined.
        case quarantined(EquivocationRecord)
    }

    /// Tells a relay's forgery from the origin's equivocation (WIRE.md
    /// section 13), storing the proof and quarantining the origin for the
    /// latter.
    private func conflict(
        at conflicting: EncodedOp, batch: [EncodedOp], identity: (NodeID) -> OriginIdentity?, wallMillis: UInt64
    ) -> Conflict {
        let id = conflicting.op.id
        guard let originIdentity = identity(id.origin) else { return .refused(.integrity(.brokenLink(id))) }
        let previous: [UInt8]?
        do {
            previous = id.seq == 1 ? OpChain.genesis : try store.chains(of: id.origin, seqs: (id.seq - 1)...(id.seq - 1))[id.seq - 1]
        } catch {
            return .refused(.local("\(error)"))
        }
        guard let previous else { return .refused(.integrity(.brokenLink(id))) }
        do throws(IngestError) {
            let run = try IngestPlanner.equivocatingRun(from: conflicting, in: batch, previous: previous, identity: originIdentity)
            let proof = EquivocationRecord(
                origin: id.origin, seq: id.seq, previousChain: previous,
                held: try IngestError.fromStore { try store.signedRun(of: id.origin, from: id.seq) }, offered: run,
                detectedMillis: wallMillis)
            try IngestError.fromStore { try store.quarantine(proof) }
            return .quarantined(proof)
        } catch {
            return .refused(error)
        }
    }
}

/// Why a local write was not made. Nothing of it is stored.
package enum WriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rules refuse it, e.g. "only uwv may edit this initiative".
    case refused(Rejection)
    /// The initiative is not on this node.
    case notFound(InitiativeID)
    /// The request itself is wrong.
    case invalid(String)
    /// The node could not sign.
    case signing(String)
    /// The store failed: its typed error (file, reason, stable code).
    case store(StoreError)
    /// The store does not continue this node's own log.
    case inconsistentStore(String)
    /// The store may lack ops this node signed (it was restored, or a peer
    /// holds more of its own log): the next seq could be one it signed
    /// already. It writes once those ops are back (``OwnLogGate``).
    case ownLogBehind(String)
    /// The node's role does not make this kind of write (a regie only annotates and endorses).
    case roleForbids(String)

    package var description: String {
        switch self {
        case let .refused(rejection): rejection.message
        case let .notFound(id): "no initiative \(id) on this node"
        case let .invalid(reason): "invalid write: \(reason)"
        case let .signing(reason): "cannot sign the op: \(reason)"
        case let .store(error): "\(error)"
        case let .inconsistentStore(reason): reason
        case let .ownLogBehind(reason): reason
        case let .roleForbids(reason): reason
        }
    }
}
