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
/// 1. ``sort(_:)``: drop quarantined origins' ops, split the rest into ops
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
    /// Origins with a stored proof of equivocation, whose ops are dropped.
    var quarantined: Set<NodeID>
    /// The replica's hybrid logical clock.
    var clock: HybridLogicalClock

    /// A batch split by what the replica holds.
    struct Sorted: Sendable {
        /// The batch without quarantined origins' ops.
        var ops: [EncodedOp]
        /// Ops the replica holds already: checked against the stored chains.
        var held: [EncodedOp]
        /// Ops the replica does not hold.
        var fresh: [EncodedOp]

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

    /// Step 1: leaves out quarantined origins' ops and splits the rest.
    func sort(_ batch: [EncodedOp]) -> Sorted {
        let ops = quarantined.isEmpty ? batch : batch.filter { !quarantined.contains($0.op.origin) }
        let held = ops.filter { vector.contains($0.op.id) }
        // In a catch-up nothing is held yet: the batch goes on uncopied.
        let fresh = held.isEmpty ? ops : ops.filter { !vector.contains($0.op.id) }
        return Sorted(ops: ops, held: held, fresh: fresh)
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

    /// The run of `conflicting`'s origin in `batch` from that op on: what
    /// must verify from the stored chain before it for the conflict to be the
    /// origin's own equivocation rather than a relay's forgery.
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
    ///   continue its origin's head, ``IngestError/integrity(_:)`` when an op
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
            heads[origin] = try Self.verifyRun(run, after: head, identity: originIdentity)
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

    /// Checks one origin run's chain links and its signature.
    static func verifyRun(
        _ run: ArraySlice<EncodedOp>, after head: OriginChainState, identity: OriginIdentity
    ) throws(IngestError) -> OriginChainState {
        let signed = run.map { SignedOp(op: $0.op, proof: $0.proof ?? OpProof(chain: [], signature: nil)) }
        // Decoding checked each payload against its digest, so the header is
        // the canonical bytes' prefix.
        let headers = run.map { Array($0.canonical.prefix($0.op.headerLength)) }
        do throws(IntegrityError) {
            return try ChainVerifier.verifyRun(signed, headers: headers, after: head, identity: identity)
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
}
