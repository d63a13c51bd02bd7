/// What applying a batch of ops did.
public struct ApplyOutcome: Sendable {
    /// Ops accepted and applied, in the order they were applied (a held op
    /// released by a later one appears after it).
    public internal(set) var accepted: [Op] = []
    /// Ops rejected, with the reason.
    public internal(set) var rejected: [(op: Op, rejection: Rejection)] = []
    /// Ops still held at the end of the batch, with what they wait for.
    public internal(set) var held: [OpID: HoldKey] = [:]
    /// Ops skipped because they had been received before.
    public internal(set) var duplicates = 0
    /// Per origin whose ops were cut from the batch by a ``HeldOpQuota``,
    /// the seq of its first op not taken (it and the origin's later ops in
    /// the batch were not applied). Set by stores that enforce a quota.
    public var deferred: [NodeID: UInt64] = [:]

    /// Creates an empty outcome.
    public init() {}

    /// The initiatives whose state changed.
    public var changedInitiatives: Set<InitiativeID> { Set(accepted.map(\.initiative)) }

    /// Whether anything was recorded.
    public var isEmpty: Bool { accepted.isEmpty && rejected.isEmpty && held.isEmpty }
}
