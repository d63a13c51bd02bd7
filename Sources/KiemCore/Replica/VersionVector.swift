/// For each origin node, the highest sequence number up to which a replica
/// holds every op (1…n without gaps). It describes exactly which ops a
/// replica has, so two replicas can tell what the other is missing.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    /// Highest contiguous seq per origin; origins with nothing are absent.
    public private(set) var entries: [NodeID: UInt64]

    /// An empty vector, or one with the given entries (zeros are dropped).
    public init(_ entries: [NodeID: UInt64] = [:]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    /// The highest contiguous seq held from `origin`, 0 if none.
    public subscript(origin: NodeID) -> UInt64 { entries[origin] ?? 0 }

    /// Whether the op is covered by the vector.
    public func contains(_ id: OpID) -> Bool { id.seq <= self[id.origin] }

    /// Raises `origin`'s entry to `seq` (never lowers it).
    public mutating func advance(_ origin: NodeID, to seq: UInt64) {
        if seq > self[origin] { entries[origin] = seq }
    }

    /// Raises every entry to at least `other`'s: the ops either vector covers.
    public mutating func merge(_ other: VersionVector) {
        for (origin, seq) in other.entries { advance(origin, to: seq) }
    }

    /// The ops this vector or `other` covers.
    public func merging(_ other: VersionVector) -> VersionVector {
        var merged = self
        merged.merge(other)
        return merged
    }

    /// The ops this vector has and `other` lacks, per origin, as seq ranges.
    public func missing(from other: VersionVector) -> [(origin: NodeID, seqs: ClosedRange<UInt64>)] {
        entries.keys.sorted().compactMap { origin in
            let mine = self[origin]
            let theirs = other[origin]
            return mine > theirs ? (origin, theirs + 1...mine) : nil
        }
    }

    /// The total number of ops the vector covers.
    public var totalOps: UInt64 { entries.values.reduce(0, +) }

    /// `origin:seq` pairs in origin order, e.g. `[svb-1:3, uwv-1:7]`.
    public var description: String {
        "[" + entries.keys.sorted().map { "\($0):\(entries[$0]!)" }.joined(separator: ", ") + "]"
    }
}
