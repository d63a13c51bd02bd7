/// Why a run of ops failed verification. Each case names the first op that
/// could not be vouched for.
public enum IntegrityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The run does not continue the verified chain (`expected` is the next seq).
    case gap(origin: NodeID, expected: UInt64, got: UInt64)
    /// The op's header does not link to the chain: altered, reordered or invented.
    case brokenLink(OpID)
    /// The op's payload does not match the digest in its header: altered
    /// after its origin wrote it.
    case alteredPayload(OpID)
    /// The signature on the run's last op is not the origin's.
    case badSignature(OpID)
    /// The run's last op carries no signature, so nothing vouches for the run.
    case unsigned(OpID)
    /// The op claims an author other than its origin's organisation.
    case wrongAuthor(OpID, claimed: OrganisationID, expected: OrganisationID)
    /// No certificate is known for the origin.
    case unknownOrigin(NodeID)

    public var description: String {
        switch self {
        case let .gap(origin, expected, got): "ops from \(origin) skip from seq \(expected) to \(got)"
        case let .brokenLink(id): "op \(id) does not link to its origin's hash chain (altered, reordered or invented)"
        case let .alteredPayload(id): "the payload of op \(id) does not match the digest in its header (altered)"
        case let .badSignature(id): "the signature on op \(id) is not its origin's"
        case let .unsigned(id): "op \(id) ends a run but carries no signature"
        case let .wrongAuthor(id, claimed, expected): "op \(id) claims author \(claimed) but its origin belongs to \(expected)"
        case let .unknownOrigin(node): "no certificate is known for origin \(node)"
        }
    }
}
