/// Extends an origin's chain as its node writes ops: links each op's header
/// and signs the new head.
public struct OriginChainWriter: Sendable {
    /// The node writing.
    public let origin: NodeID
    /// The seq of the last op written.
    public private(set) var seq: UInt64
    /// The chain value after it.
    public private(set) var chain: [UInt8]
    private let key: OriginSigningKey

    /// Continues a chain after `seq` (0 and ``OpChain/genesis`` for a new node).
    public init(origin: NodeID, key: OriginSigningKey, seq: UInt64 = 0, chain: [UInt8] = OpChain.genesis) {
        self.origin = origin
        self.key = key
        self.seq = seq
        self.chain = chain
    }

    /// Proves `op`, which must be this origin's next op.
    public mutating func prove(_ op: Op) throws -> SignedOp {
        precondition(op.origin == origin && op.id.seq == seq + 1, "op \(op.id) does not continue \(origin)'s chain at \(seq)")
        let next = OpChain.link(chain, header: op.headerBytes)
        let signature = try key.signature(for: SignedHead(origin: origin, seq: op.id.seq, chain: next).message)
        seq = op.id.seq
        chain = next
        return SignedOp(op: op, proof: OpProof(chain: next, signature: signature))
    }
}
