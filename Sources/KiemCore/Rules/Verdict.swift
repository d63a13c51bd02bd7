/// The outcome of judging an op against the replica.
public enum Verdict: Hashable, Sendable {
    /// The op may be applied.
    case accept
    /// The op breaks a rule; it is recorded and never applied.
    case reject(Rejection)
    /// The op cannot be judged yet; it waits for `HoldKey` to arrive.
    case hold(HoldKey)
}

/// What a held op waits for.
public enum HoldKey: Hashable, Sendable, CustomStringConvertible {
    /// The create op of this initiative.
    case initiative(InitiativeID)
    /// A specific op (e.g. the adoption a progress entry names).
    case op(OpID)

    public var description: String {
        switch self {
        case let .initiative(id): "creation of initiative \(id)"
        case let .op(id): "op \(id)"
        }
    }
}

/// What a replica knows about an op that another op refers to.
public enum ReferencedOp: Sendable {
    /// The op was accepted.
    case accepted(Op)
    /// The op was rejected.
    case rejected
    /// The op has not arrived or is itself held.
    case unknown
}
