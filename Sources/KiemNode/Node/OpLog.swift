public import KiemCore
public import KiemStore
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
/// one transaction. An origin caught signing two different ops with one seq
/// is quarantined: the proof is stored and its ops are no longer accepted
/// (WIRE.md section 13). Methods block on SQLite: call them from a thread
/// pool.
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
    /// The vector as of the last committed batch, readable while the next
    /// batch is being applied (`state` is held for the whole apply).
    private let committed: Mutex<VersionVector>

    /// Continues the store's log.
    /// - Throws: `StoreError`, or ``WriteError/store(_:)`` when the store holds
    ///   ops of this node without their proofs (it was not written by kiemd).
    init(store: KiemStore, node: NodeID, organisation: OrganisationID, key: OriginSigningKey,
         maxSkewMillis: UInt64 = HybridLogicalClock.defaultMaxSkewMillis) throws {
        self.store = store
        self.node = node
        self.organisation = organisation
        let vector = try store.versionVector()
        let heads = try store.chainHeads()
        let own = heads[node] ?? OriginChainState()
        guard own.seq == vector[node] else {
            throw WriteError.inconsistentStore(
                "\(store.path) holds \(vector[node]) ops of \(node) but their proofs only up to \(own.seq)")
        }
        state = Mutex(State(
            replica: IngestPlanner(
                heads: heads, vector: vector, quarantined: try store.equivocatingOrigins(),
                clock: HybridLogicalClock(last: try store.latestHeadTimestamp(), maxSkewMillis: maxSkewMillis)),
            writer: OriginChainWriter(origin: node, key: key, seq: own.seq, chain: own.chain)))
        committed = Mutex(vector)
    }

    /// What the store holds.
    var versionVector: VersionVector { committed.withLock { $0 } }

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
            var writer = state.writer
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
            let vector = state.replica.vector
            committed.withLock { $0 = vector }
            return signed
        }
    }

    /// A store call's failure as a ``StoreError`` (the store throws them;
    /// anything else it let through is an I/O failure of its file).
    private func storeError(_ error: any Error) -> StoreError {
        error as? StoreError ?? .io(path: store.path, reason: "\(error)")
    }

    /// Verifies and applies a batch of remote ops, in one transaction. Ops
    /// of quarantined origins are left out. What is decided is the
    /// ``IngestPlanner``'s; this method reads what it asks for and stores
    /// what it accepts.
    /// - Parameter identity: the certificate identity of an origin, if known.
    /// - Returns: what changed (nil when every op was a duplicate or left out).
    /// - Throws: ``IngestError/equivocation(origin:seq:)`` when the batch
    ///   proves an origin signed two different ops with one seq; the proof is
    ///   stored, the origin quarantined, and nothing of the batch applied.
    func ingest(
        _ received: [EncodedOp], identity: (NodeID) -> OriginIdentity?, wallMillis: UInt64
    ) throws(IngestError) -> ApplyOutcome? {
        try state.withLock { state throws(IngestError) -> ApplyOutcome? in
            let sorted = state.replica.sort(received)
            var stored: [NodeID: [UInt64: [UInt8]]] = [:]
            for (origin, seqs) in sorted.chainsNeeded {
                stored[origin] = try IngestError.fromStore { try store.chains(of: origin, seqs: seqs) }
            }
            if let conflicting = IngestPlanner.firstConflict(in: sorted.held, stored: stored) {
                let error = conflict(at: conflicting, batch: sorted.ops, identity: identity, wallMillis: wallMillis)
                if case let .equivocation(origin, _) = error { state.replica.quarantined.insert(origin) }
                throw error
            }
            guard !sorted.fresh.isEmpty else { return nil }
            let (heads, clock) = try state.replica.verify(sorted.fresh, identity: identity, wallMillis: wallMillis)
            let outcome = try IngestError.fromStore { try store.apply(sorted.fresh) }
            state.replica.commit(sorted.fresh, heads: heads, clock: clock)
            let vector = state.replica.vector
            committed.withLock { $0 = vector }
            return outcome
        }
    }

    /// The error for an op whose chain hash differs from the stored one: a
    /// forgery by whoever relayed it, or, when its run verifies from the
    /// stored chain before it, the origin's equivocation (after storing its
    /// proof; WIRE.md section 13).
    private func conflict(
        at conflicting: EncodedOp, batch: [EncodedOp], identity: (NodeID) -> OriginIdentity?, wallMillis: UInt64
    ) -> IngestError {
        let id = conflicting.op.id
        guard let originIdentity = identity(id.origin) else { return .integrity(.brokenLink(id)) }
        let previous: [UInt8]?
        do {
            previous = id.seq == 1 ? OpChain.genesis : try store.chains(of: id.origin, seqs: (id.seq - 1)...(id.seq - 1))[id.seq - 1]
        } catch {
            return .local("\(error)")
        }
        guard let previous else { return .integrity(.brokenLink(id)) }
        let run = IngestPlanner.run(from: conflicting, in: batch)
        do throws(IngestError) {
            _ = try IngestPlanner.verifyRun(run[...], after: OriginChainState(seq: id.seq - 1, chain: previous), identity: originIdentity)
            try IngestError.fromStore {
                try store.recordEquivocation(EquivocationRecord(
                    origin: id.origin, seq: id.seq, previousChain: previous,
                    held: try store.signedRun(of: id.origin, from: id.seq), offered: run, detectedMillis: wallMillis))
            }
        } catch {
            return error
        }
        return .equivocation(origin: id.origin, seq: id.seq)
    }
}

/// Why a local write was not made. Nothing of it is stored.
public enum WriteError: Error, Sendable, Equatable, CustomStringConvertible {
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
    /// The node's role does not make this kind of write (a regie only annotates and endorses).
    case roleForbids(String)

    public var description: String {
        switch self {
        case let .refused(rejection): rejection.message
        case let .notFound(id): "no initiative \(id) on this node"
        case let .invalid(reason): "invalid write: \(reason)"
        case let .signing(reason): "cannot sign the op: \(reason)"
        case let .store(error): "\(error)"
        case let .inconsistentStore(reason): reason
        case let .roleForbids(reason): reason
        }
    }
}
