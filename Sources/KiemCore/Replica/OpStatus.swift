/// What a replica decided about an op it received.
public enum OpStatus: Hashable, Sendable {
    /// Applied to its initiative.
    case accepted
    /// Waiting for a creation or a named op.
    case held(HoldKey)
    /// Refused by a rule; kept for the record, never applied.
    case rejected(Rejection)
}
