/// Why an op was refused, stated as the rule it broke. Stable codes let the
/// reason travel on the wire and in the store; the sentence is for people.
public struct Rejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule was broken.
    public enum Rule: String, Sendable, CaseIterable {
        /// Only the owner edits core fields, sets and the archive flag.
        case ownerOnly = "owner-only"
        /// An organisation does not adopt or endorse its own initiative.
        case notOnOwnInitiative = "not-on-own-initiative"
        /// Progress from a non-owner must name an active adoption of its own.
        case progressNeedsAdoption = "progress-needs-adoption"
        /// The initiative id must be the one the create op's HLC and origin give.
        case initiativeIDMismatch = "initiative-id-mismatch"
        /// The initiative was already created.
        case alreadyCreated = "already-created"
        /// A field value is malformed or too large.
        case invalidValue = "invalid-value"
        /// The op was written at or after the federation CA revoked its
        /// origin node or its organisation (``RevocationCutoffs``).
        case revoked = "revoked"
    }

    /// The rule broken.
    public let rule: Rule
    /// The rule in words, e.g. "only uwv may edit this initiative".
    public let message: String

    /// Creates a rejection.
    public init(_ rule: Rule, _ message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { message }
}
