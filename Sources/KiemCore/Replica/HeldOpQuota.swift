/// How many held ops one origin may have on a replica (ops waiting for an
/// initiative or op the replica does not hold). Without it, a member could
/// make every node keep any number of ops that wait for an initiative that
/// never comes.
///
/// A batch that would take an origin past its quota is cut: the origin's
/// ops from the first one that would be held beyond the quota on are not
/// taken (the origin's log stays contiguous, so its later ops in the batch
/// go too). They are *deferred*, not refused: once held ops of the origin
/// are released and it is under its quota again, its log is taken from
/// where it was cut (WIRE.md section 13, "Held ops").
public struct HeldOpQuota: Sendable, Equatable {
    /// The default: generous for honest catch-ups (an origin's annotations
    /// of many initiatives may all wait for another origin's creations).
    public static let defaultPerOrigin = 50_000

    /// Held ops one origin may have.
    public var perOrigin: Int

    /// A quota of `perOrigin` held ops per origin (at least 1).
    public init(perOrigin: Int = Self.defaultPerOrigin) {
        self.perOrigin = max(1, perOrigin)
    }

    /// At most how many held ops a deferred origin may have for its ops to
    /// be taken again: half the quota.
    public var resumeAt: Int { perOrigin / 2 }

    /// Where to cut a batch that was applied tentatively.
    /// - Parameters:
    ///   - heldInBatch: the batch's ops still held at its end.
    ///   - heldAfter: per origin with an op in `heldInBatch`, how many held
    ///     ops it has after the batch (those included).
    /// - Returns: per origin over its quota, the seq of its first op not to
    ///   take: the first of its batch's held ops beyond the quota.
    public func cuts(heldInBatch: some Collection<OpID>, heldAfter: [NodeID: Int]) -> [NodeID: UInt64] {
        var bySeq: [NodeID: [UInt64]] = [:]
        for id in heldInBatch { bySeq[id.origin, default: []].append(id.seq) }
        var cuts: [NodeID: UInt64] = [:]
        for (origin, seqs) in bySeq {
            let after = heldAfter[origin] ?? seqs.count
            guard after > perOrigin else { continue }
            let before = max(0, after - seqs.count)
            let allowed = max(0, perOrigin - before)
            cuts[origin] = seqs.sorted()[allowed]
        }
        return cuts
    }
}
