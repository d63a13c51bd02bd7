/// Names one op: the node that wrote it and its place in that node's log
/// (1, 2, 3, … without gaps).
public struct OpID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The node that wrote the op.
    public let origin: NodeID
    /// The op's position in its origin's log, starting at 1.
    public let seq: UInt64

    /// Creates an op id.
    public init(origin: NodeID, seq: UInt64) {
        self.origin = origin
        self.seq = seq
    }

    /// `origin:seq`, e.g. `uwv-1:42`.
    public var description: String { "\(origin.rawValue):\(seq)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.origin, lhs.seq) < (rhs.origin, rhs.seq)
    }
}
