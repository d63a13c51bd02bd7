/// Proof that an origin signed two different ops with one seq: two valid
/// signed heads for the same origin and seq with different chain values.
/// Anyone holding it can check it with the origin's public key.
public struct Equivocation: Hashable, Sendable {
    /// The origin that equivocated.
    public let origin: NodeID
    /// The seq it used twice.
    public let seq: UInt64
    /// The two ops with their proofs.
    public let first: SignedOp
    public let second: SignedOp

    /// Returns the evidence if `first` and `second` are both validly signed by
    /// `identity` for the same seq but differ; nil otherwise.
    public static func detect(_ first: SignedOp, _ second: SignedOp, identity: OriginIdentity) -> Equivocation? {
        guard first.op.id == second.op.id, first.op.origin == identity.node,
              first.proof.chain != second.proof.chain,
              isSigned(first, by: identity), isSigned(second, by: identity)
        else { return nil }
        return Equivocation(origin: identity.node, seq: first.op.id.seq, first: first, second: second)
    }

    private static func isSigned(_ signed: SignedOp, by identity: OriginIdentity) -> Bool {
        guard let signature = signed.proof.signature else { return false }
        let head = SignedHead(origin: identity.node, seq: signed.op.id.seq, chain: signed.proof.chain)
        return identity.isValidSignature(signature, for: head.message)
    }
}
