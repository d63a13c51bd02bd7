public import KiemCore

/// One initiative as `kiemctl show` needs it: the whole CRDT value
/// (concurrent values, adopters, lineage, progress) and every op received
/// for it.
public struct InitiativeRecord: Sendable {
    /// The current state, built from the accepted ops.
    public var initiative: Initiative
    /// Every op for the initiative (accepted, held, rejected), by HLC, then
    /// op id.
    public var history: [HistoryEntry]

    /// Creates a record.
    public init(initiative: Initiative, history: [HistoryEntry]) {
        self.initiative = initiative
        self.history = history
    }
}

/// An op as the store holds it, with what was decided about it.
public struct HistoryEntry: Hashable, Sendable {
    /// The op.
    public var op: Op
    /// What the store decided: accepted, held (and for what), or rejected
    /// (and why).
    public var status: OpStatus

    /// Creates an entry.
    public init(op: Op, status: OpStatus) {
        self.op = op
        self.status = status
    }
}

/// A rejected op and why.
public struct RejectedOp: Hashable, Sendable {
    /// The op.
    public var op: Op
    /// The rule it broke.
    public var rejection: Rejection

    /// Creates a rejected-op entry.
    public init(op: Op, rejection: Rejection) {
        self.op = op
        self.rejection = rejection
    }
}

/// How much the store holds.
public struct StoreCounts: Hashable, Sendable {
    /// Materialized initiatives.
    public var initiatives: Int
    /// Every op received (accepted, held and rejected).
    public var ops: Int
    /// Ops still held.
    public var held: Int
    /// Ops rejected.
    public var rejected: Int

    /// Creates counts.
    public init(initiatives: Int, ops: Int, held: Int, rejected: Int) {
        self.initiatives = initiatives
        self.ops = ops
        self.held = held
        self.rejected = rejected
    }
}
