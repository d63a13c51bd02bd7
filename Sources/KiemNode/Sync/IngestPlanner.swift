import KiemCore
import KiemStore

/// The decisions of taking in a batch of remote ops, as a value with no
/// I/O: what the replica knows (each origin's verified head, the vector,
/// the quarantined origins, the clock) in; which ops are new, which stored
/// chains must be read, which op conflicts with the store, and whether the
/// new ops continue every origin's verified log, out. ``OpLog`` is the shell:
/// it reads what the planner asks for, applies what it accepts, and commits.
///
/// A batch is taken in three steps, each of which may refuse it (then
/// nothing changes):
/// 1. ``sort(_:)``: drop quarantined origins' ops from their proof's seq
///    on, split the rest into ops
///    the replica holds already (to check against the store) and new ones;
/// 2. ``firstConflict(in:stored:)``: a held op whose chain differs from the
///    stored one is a forgery or an equivocation (the shell tells which);
/// 3. ``verify(_:identity:wallMillis:)``: each origin run of the new ops
///    continues that origin's head, links to its chain, carries its origin's
///    signature at its end, and is not from too far in the future.
struct IngestPlanner: Sendable {
    /// Every origin's verified chain head.
    var heads: [NodeID: OriginChainState]
    /// What the replica holds.
    var vector: VersionVector
    /// Origins with a stored proof of equivocation, with where their log
    /// ends (the seq before the proof's and the chain after it): their ops
    /// after it are dropped, and a run that ends there needs no signature
    /// (the proof's signed runs vouch for that chain).
    var quarantined: [NodeID: OriginChainState]
    /// The replica's hybrid logical clock.
    var clock: HybridLogicalClock
    /// Origins whose ops a peer offered on a history that does not continue
    /// the replica's (see ``IngestError/diverged(origin:seq:)``): until a
    /// peer shows the replica's history again, or a proof settles it, the
    /// replica announces holding none of their ops (``announcedVector``), so
    /// that peers send each such log from its start and the conflict shows
    /// as an op held here that differs from the one offered (step 2).
    var diverged: Set<NodeID> = []
    /// Origins the held-op quota cut (``KiemCore/HeldOpQuota``), with the
    /// seq their log ends at here: their later ops are dropped, without
    /// blame, until ``resume(_:)`` (they are under the quota again).
    var deferred: [NodeID: UInt64] = [:]

    /// The vector to announce to peers: ``vector`` without the diverged origins.
    var announcedVector: VersionVector {
        diverged.isEmpty ? vector : VersionVector(vector.entries.filter { !diverged.contains($0.key) })
    }

    /// A batch split by what the replica holds.
    struct Sorted: Sendable {
        /// The batch without quarantined origins' ops past their log's end.
        var ops: [EncodedOp]
        /// Ops the replica holds already: checked against the stored chains.
        var held: [EncodedOp]
        /// Ops the replica does not hold.
        var fresh: [EncodedOp]
        /// Per deferred origin whose ops the batch carried past its log's
        /// end here, how many (dropped: the sender must send them again).
        var droppedDeferred: [NodeID: Int] = [:]

        /// The stored chain hashes that checking ``held`` needs: per origin,
        /// the range of its held seqs.
        var chainsNeeded: [(origin: NodeID, seqs: ClosedRange<UInt64>)] {
            var ranges: [NodeID: ClosedRange<UInt64>] = [:]
            var order: [NodeID] = []
            for encoded in held {
                let seq = encoded.op.id.seq
                if let range = ranges[encoded.op.origin] {
                    ranges[encoded.op.origin] = min(range.lowerBound, seq)...max(range.upperBound, seq)
                } else {
                    order.append(encoded.op.origin)
                    ranges[encoded.op.origin] = seq...seq
                }
            }
            return order.map { ($0, ranges[$0]!) }
        }
    }

    /// Step 1: leaves out quarantined and deferred origins' ops past their
    /// log's end and splits the rest.
    func sort(_ batch: [EncodedOp]) -> Sorted {
        var ops = quarantined.isEmpty ? batch : batch.filter { $0.op.id.seq <= quarantined[$0.op.origin]?.seq ?? .max }
        var dropped: [NodeID: Int] = [:]
        if !deferred.isEmpty {
            ops.removeAll { encoded in
                guard encoded.op.id.seq > deferred[encoded.op.origin] ?? .max else { return false }
                dropped[encoded.op.origin, default: 0] += 1
                return true
            }
        }
        let held = ops.filter { vector.contains($0.op.id) }
        // In a catch-up nothing is held yet: the batch goes on uncopied.
        let fresh = held.isEmpty ? ops : ops.filter { !vector.contains($0.op.id) }
        return Sorted(ops: ops, held: held, fresh: fresh, droppedDeferred: dropped)
    }

    /// Step 2: the first held op that carries a chain hash other than the
    /// stored one for its id; nil when every held op is a true duplicate.
    /// - Parameter stored: the stored chain hashes, per origin and seq.
    static func firstConflict(in held: [EncodedOp], stored: [NodeID: [UInt64: [UInt8]]]) -> EncodedOp? {
        held.first { encoded in
            guard let chain = stored[encoded.op.origin]?[encoded.op.id.seq], let proof = encoded.proof else { return false }
            return proof.chain != chain
        }
    }

    /// Tells the origin's equivocation from a relay's forgery, for a held op
    /// whose chain differs from the stored one (step 2): it is equivocation
    /// when the origin's run from that op in `batch` verifies from the chain
    /// stored before it (`previous`), so the origin signed it.
    /// - Returns: the run, the side of the proof the batch offered.
    /// - Throws: why the run does not verify: then it is a forgery.
    static func equivocatingRun(
        from conflicting: EncodedOp, in batch: [EncodedOp], previous: [UInt8], identity: OriginIdentity
    ) throws(IngestError) -> [EncodedOp] {
        let run = run(from: conflicting, in: batch)
        let before = OriginChainState(seq: conflicting.op.id.seq - 1, chain: previous)
        _ = try verifyRun(run[...], after: before, identity: identity)
        return run
    }

    /// The run of `conflicting`'s origin in `batch` from that op on.
    static func run(from conflicting: EncodedOp, in batch: [EncodedOp]) -> [EncodedOp] {
        let id = conflicting.op.id
        guard let start = batch.firstIndex(where: { $0.op.id == id }) else { return [] }
        var run: [EncodedOp] = []
        for encoded in batch[start...] {
            guard encoded.op.origin == id.origin, encoded.op.id.seq == id.seq + UInt64(run.count) else { break }
            run.append(encoded)
        }
        return run
    }

    /// Step 3: verifies the new ops run by run.
    /// - Returns: the heads and clock after them (the planner itself is not
    ///   changed: ``commit(_:heads:clock:)`` does that once they are stored).
    /// - Throws: ``IngestError/gap(origin:expected:got:)`` when a run does not
    ///   continue its origin's head, ``IngestError/diverged(origin:seq:)`` when
    ///   its first op does not link to the head (a history this replica does
    ///   not share, or a forgery: the sender is blamed only if the origin was
    ///   diverged already), ``IngestError/integrity(_:)`` when an op
    ///   is altered, invented, unsigned at a run's end or from an unknown
    ///   origin, ``IngestError/clock(_:)`` when one is too far in the future.
    func verify(
        _ fresh: [EncodedOp], identity: (NodeID) -> OriginIdentity?, wallMillis: UInt64
    ) throws(IngestError) -> (heads: [NodeID: OriginChainState], clock: HybridLogicalClock) {
        var heads = self.heads
        var clock = self.clock
        var start = fresh.startIndex
        while start < fresh.endIndex {
            let origin = fresh[start].op.origin
            var end = start
            while end < fresh.endIndex, fresh[end].op.origin == origin { end += 1 }
            let run = fresh[start..<end]
            let head = heads[origin] ?? OriginChainState()
            guard run.first!.op.id.seq == head.seq + 1 else {
                throw .gap(origin: origin, expected: head.seq + 1, got: run.first!.op.id.seq)
            }
            guard let originIdentity = identity(origin) else { throw .integrity(.unknownOrigin(origin)) }
            do {
                heads[origin] = try Self.verifyRun(run, after: head, identity: originIdentity, anchor: quarantined[origin])
            } catch .integrity(.brokenLink(run.first!.op.id)) where head.seq > 0 && !diverged.contains(origin) {
                throw .diverged(origin: origin, seq: head.seq)
            }
            for encoded in run {
                do throws(ClockError) {
                    try clock.receive(encoded.op.hlc, wallMillis: wallMillis)
                } catch {
                    throw .clock(error)
                }
            }
            start = end
        }
        return (heads, clock)
    }

    /// Checks one origin run's chain links and its signature (none needed
    /// on a run that ends at `anchor`).
    static func verifyRun(
        _ run: ArraySlice<EncodedOp>, after head: OriginChainState, identity: OriginIdentity,
        anchor: OriginChainState? = nil
    ) throws(IngestError) -> OriginChainState {
        let signed = run.map { SignedOp(op: $0.op, proof: $0.proof ?? OpProof(chain: [], signature: nil)) }
        // Decoding checked each payload against its digest, so the header is
        // the canonical bytes' prefix.
        let headers = run.map { Array($0.canonical.prefix($0.op.headerLength)) }
        do throws(IntegrityError) {
            return try ChainVerifier.verifyRun(signed, headers: headers, after: head, identity: identity, anchor: anchor)
        } catch {
            throw .integrity(error)
        }
    }

    /// Records stored ops: the heads and clock ``verify(_:identity:wallMillis:)``
    /// returned, and the ops in the vector.
    mutating func commit(_ stored: [EncodedOp], heads: [NodeID: OriginChainState], clock: HybridLogicalClock) {
        self.heads = heads
        self.clock = clock
        for encoded in stored { vector.advance(encoded.op.origin, to: encoded.op.id.seq) }
    }

    /// What the store took of verified `fresh` ops when the held-op quota
    /// cut origins at `cuts` (``KiemCore/ApplyOutcome/deferred``): the ops
    /// stored, the heads after them (`verified`, with each cut origin's
    /// head at its last op taken), and how many ops of each cut origin were
    /// not taken.
    func taken(
        of fresh: [EncodedOp], cutAt cuts: [NodeID: UInt64], verified: [NodeID: OriginChainState]
    ) -> (stored: [EncodedOp], heads: [NodeID: OriginChainState], cut: [NodeID: Int]) {
        guard !cuts.isEmpty else { return (fresh, verified, [:]) }
        var heads = verified
        var cutCounts: [NodeID: Int] = [:]
        for origin in cuts.keys { heads[origin] = self.heads[origin] }
        let stored = fresh.filter { encoded in
            guard let cut = cuts[encoded.op.origin] else { return true }
            guard encoded.op.id.seq < cut else {
                cutCounts[encoded.op.origin, default: 0] += 1
                return false
            }
            heads[encoded.op.origin] = OriginChainState(seq: encoded.op.id.seq, chain: encoded.proof?.chain ?? [])
            return true
        }
        return (stored, heads, cutCounts)
    }

    /// Marks origins the held-op quota cut as deferred, their log ending
    /// where it was cut (after ``commit(_:heads:clock:)``).
    mutating func deferOrigins(cutAt cuts: [NodeID: UInt64]) {
        for (origin, cut) in cuts { deferred[origin] = cut - 1 }
    }

    /// Ends the deferral of `origins` (each is down to half its held-op
    /// quota): their ops are taken from where their log ends here.
    mutating func resume(_ origins: some Sequence<NodeID>) {
        for origin in origins { deferred[origin] = nil }
    }

    /// Ends the divergence of every origin the accepted `sorted` batch shows
    /// the replica's own history of: an op held here up to the head, offered
    /// with the same chain, or new ops that continue the head.
    mutating func settle(_ sorted: Sorted) {
        guard !diverged.isEmpty else { return }
        for encoded in sorted.held where encoded.op.id.seq == vector[encoded.op.origin] { diverged.remove(encoded.op.origin) }
        for encoded in sorted.fresh { diverged.remove(encoded.op.origin) }
    }

    /// Quarantines `origin` from the seq after `anchor` on (its proof of
    /// equivocation was stored, and the store rolled its log back to
    /// `anchor`): ops after it are dropped from now on.
    mutating func quarantine(_ origin: NodeID, endingAt anchor: OriginChainState) {
        quarantined[origin] = anchor
        diverged.remove(origin)
        deferred[origin] = nil
        if vector[origin] > anchor.seq {
            vector = VersionVector(vector.entries.merging([origin: anchor.seq]) { $1 }.filter { $0.value > 0 })
            heads[origin] = anchor.seq > 0 ? anchor : nil
        }
    }
}
