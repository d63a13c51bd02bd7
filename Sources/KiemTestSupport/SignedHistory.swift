package import KiemCore
package import KiemStore

/// A long, signed history of one origin, to seed a store as if its node had
/// written it in bulk: `initiatives` creations, each followed by
/// `editsPerInitiative` summary edits, every op with its chain hash, and the
/// head signed every `signEvery` ops and at the end (as a node signs after
/// each write, a bulk write after its last op).
package enum SignedHistory {
    /// The ops, in seq order.
    package static func make(
        node: NodeID, organisation: OrganisationID, key: OriginSigningKey, initiatives: Int, editsPerInitiative: Int = 4,
        signEvery: Int = 500
    ) throws -> [EncodedOp] {
        var simulated = SimulatedNode(node.rawValue, organisation: organisation.rawValue)
        var chain = OpChain.genesis
        let total = initiatives * (1 + editsPerInitiative)
        func prove(_ op: Op) throws -> EncodedOp {
            chain = OpChain.link(chain, header: op.headerBytes)
            let seq = op.id.seq
            let signature = seq % UInt64(signEvery) == 0 || seq == UInt64(total)
                ? try key.signature(for: SignedHead(origin: node, seq: seq, chain: chain).message) : nil
            return EncodedOp(op, proof: OpProof(chain: chain, signature: signature))
        }
        var ops: [EncodedOp] = []
        ops.reserveCapacity(initiatives * (1 + editsPerInitiative))
        for index in 0..<initiatives {
            let create = simulated.create(InitiativeDraft(
                title: "Initiatief \(index)", summary: "Samenvatting \(index)",
                description: String(repeating: "Beschrijving van het initiatief. ", count: 8), themes: ["ai"]))
            ops.append(try prove(create))
            for edit in 0..<editsPerInitiative {
                let op = simulated.setText(create.initiative, .summary, "Stand \(edit) van \(index)")
                ops.append(try prove(op))
            }
        }
        return ops
    }

    /// Writes the ops into `store` in batches of `batchSize`.
    package static func seed(_ store: KiemStore, with ops: [EncodedOp], batchSize: Int = 5_000) throws {
        var start = 0
        while start < ops.count {
            let end = min(start + batchSize, ops.count)
            try store.apply(Array(ops[start..<end]))
            start = end
        }
    }
}
