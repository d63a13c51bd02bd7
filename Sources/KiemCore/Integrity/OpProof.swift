/// The integrity proof carried with an op: the origin's hash chain after it
/// and the origin's signature over that chain head.
///
/// `chain_n = SHA-256("kiem-chain-v1" | chain_(n-1) | header_n)` with
/// `chain_0` 32 zero bytes; the header names the payload by digest, so the
/// chain survives erasing a payload. The origin signs every head it writes;
/// a receiver checks the links of a run of ops and only the signature on the
/// run's last op, so catching up costs one signature check per origin per
/// batch, not one per op.
public struct OpProof: Hashable, Sendable {
    /// The 32-byte chain hash after this op.
    public let chain: [UInt8]
    /// The origin's signature over ``SignedHead`` for this op, if carried.
    public let signature: [UInt8]?

    /// Creates a proof.
    public init(chain: [UInt8], signature: [UInt8]?) {
        self.chain = chain
        self.signature = signature
    }
}

/// An op with its integrity proof, as it is stored and sent.
public struct SignedOp: Hashable, Sendable {
    /// The op.
    public let op: Op
    /// Its proof.
    public let proof: OpProof

    /// Pairs an op with its proof.
    public init(op: Op, proof: OpProof) {
        self.op = op
        self.proof = proof
    }
}
