/// What ``OpApplier`` needs from a replica: read access to its initiatives
/// and op outcomes, and a place to record decisions. The in-memory
/// ``Replica`` and the SQLite store each implement it, so both decide with the
/// same code.
public protocol ApplyContext {
    /// Whether an op with this id was already received (accepted, held or
    /// rejected), including earlier in the current batch.
    mutating func contains(_ id: OpID) throws -> Bool
    /// The initiative's current state, including this batch's changes.
    mutating func initiative(_ id: InitiativeID) throws -> Initiative?
    /// Calls `body` with what ``initiative(_:)`` returns. A context that
    /// holds the state can lend it instead of copying it (a copy retains
    /// every field of the initiative, once per op judged).
    mutating func withInitiative<Result>(
        _ id: InitiativeID, _ body: (Initiative?) throws -> Result
    ) throws -> Result
    /// What is known about an op another op names.
    mutating func reference(_ id: OpID) throws -> ReferencedOp
    /// Records an accepted op and applies it to its initiative (see
    /// ``Initiative/apply(_:to:)``).
    mutating func accept(_ op: Op) throws
    /// Records a held op.
    mutating func hold(_ op: Op, until key: HoldKey) throws
    /// Records a rejected op.
    mutating func reject(_ op: Op, because rejection: Rejection) throws
    /// Removes and returns the ops held for `key`.
    mutating func releaseHeld(_ key: HoldKey) throws -> [Op]
    /// The revocations the replica holds (``Rules`` rejects revoked ops).
    var revocations: RevocationCutoffs { get }
}

extension ApplyContext {
    /// None, for a replica that holds no revocations.
    public var revocations: RevocationCutoffs { RevocationCutoffs() }

    /// Calls `body` with a copy from ``initiative(_:)``.
    public mutating func withInitiative<Result>(
        _ id: InitiativeID, _ body: (Initiative?) throws -> Result
    ) throws -> Result {
        try body(try initiative(id))
    }
}

extension Initiative {
    /// Applies an accepted op to a table of initiatives in place: a create
    /// adds the initiative, any other op merges into it.
    public static func apply(_ op: Op, to initiatives: inout [InitiativeID: Initiative]) {
        if case .create = op.mutation {
            initiatives[op.initiative] = Initiative(creation: op)
        } else {
            initiatives[op.initiative]?.apply(op)
        }
    }
}
