/// Where an origin's verified chain ends on this replica.
public struct OriginChainState: Hashable, Sendable {
    /// The last verified seq (0 before the first op).
    public let seq: UInt64
    /// The chain value after it.
    public let chain: [UInt8]

    /// Creates a state.
    public init(seq: UInt64 = 0, chain: [UInt8] = OpChain.genesis) {
        self.seq = seq
        self.chain = chain
    }
}

/// Checks that ops come unaltered from their origin: every header links to
/// the chain, and one signature on the last op of each origin's run vouches
/// for the whole run.
public enum ChainVerifier {
    /// Verifies a batch that may mix origins (each origin's ops consecutive
    /// and in seq order). Returns the new chain state of every origin in it.
    /// - Parameters:
    ///   - states: the verified chain state per origin; absent means none yet.
    ///   - identity: the certificate identity of an origin, if known.
    public static func verify(
        _ batch: [SignedOp], states: [NodeID: OriginChainState], identity: (NodeID) -> OriginIdentity?
    ) throws(IntegrityError) -> [NodeID: OriginChainState] {
        var runs: [NodeID: [SignedOp]] = [:]
        var order: [NodeID] = []
        for signed in batch {
            if runs[signed.op.origin] == nil { order.append(signed.op.origin) }
            runs[signed.op.origin, default: []].append(signed)
        }
        var result: [NodeID: OriginChainState] = [:]
        for origin in order {
            guard let originIdentity = identity(origin) else { throw .unknownOrigin(origin) }
            result[origin] = try verifyRun(runs[origin]!, after: states[origin] ?? OriginChainState(), identity: originIdentity)
        }
        return result
    }

    /// Verifies consecutive ops of one origin that follow `state`.
    public static func verifyRun(
        _ run: [SignedOp], after state: OriginChainState, identity: OriginIdentity
    ) throws(IntegrityError) -> OriginChainState {
        try verifyRun(run, headers: run.map(\.op.headerBytes), after: state, identity: identity)
    }

    /// Verifies a run whose ops' headers the caller already has: for ops
    /// decoded from their canonical bytes (which checked each payload against
    /// its digest), the first ``Op/headerLength`` bytes.
    /// - Parameter anchor: a head the origin's signature already vouches for
    ///   (the chain before an equivocation, which both signed runs of its
    ///   proof continue): a run that ends exactly there needs no signature.
    public static func verifyRun(
        _ run: [SignedOp], headers: [[UInt8]], after state: OriginChainState, identity: OriginIdentity,
        anchor: OriginChainState? = nil
    ) throws(IntegrityError) -> OriginChainState {
        precondition(headers.count == run.count, "one header per op")
        var chain = state.chain
        var seq = state.seq
        for (signed, header) in zip(run, headers) {
            let op = signed.op
            guard op.origin == identity.node, op.id.seq == seq + 1 else {
                throw .gap(origin: identity.node, expected: seq + 1, got: op.id.seq)
            }
            guard op.author == identity.organisation else {
                throw .wrongAuthor(op.id, claimed: op.author, expected: identity.organisation)
            }
            chain = OpChain.link(chain, header: header)
            guard chain == signed.proof.chain else { throw .brokenLink(op.id) }
            seq = op.id.seq
        }
        guard let last = run.last else { return state }
        if let anchor, anchor.seq == seq, anchor.chain == chain, last.proof.signature == nil {
            return anchor
        }
        guard let signature = last.proof.signature else { throw .unsigned(last.op.id) }
        let head = SignedHead(origin: identity.node, seq: seq, chain: chain)
        guard identity.isValidSignature(signature, for: head.message) else { throw .badSignature(last.op.id) }
        return OriginChainState(seq: seq, chain: chain)
    }
}
