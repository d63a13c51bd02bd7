public import KiemCore
public import KiemStore

/// A long, signed history of one origin, to seed a store as if its node had
/// written it: `initiatives` creations, each followed by `editsPerInitiative`
/// summary edits, every op with its chain hash and signature.
public enum SignedHistory {
    /// The ops, in seq order.
    public static func make(
        node: NodeID, organisation: OrganisationID, key: OriginSigningKey, initiatives: Int, editsPerInitiative: Int = 4
    ) throws -> [EncodedOp] {
        var simulated = SimulatedNode(node.rawValue, organisation: organisation.rawValue)
        var writer = OriginChainWriter(origin: node, key: key)
        var ops: [EncodedOp] = []
        ops.reserveCapacity(initiatives * (1 + editsPerInitiative))
        for index in 0..<initiatives {
            let create = simulated.create(InitiativeDraft(
                title: "Initiatief \(index)", summary: "Samenvatting \(index)",
                description: String(repeating: "Beschrijving van het initiatief. ", count: 8), themes: ["ai"]))
            ops.append(EncodedOp(create, proof: try writer.prove(create).proof))
            for edit in 0..<editsPerInitiative {
                let op = simulated.setText(create.initiative, .summary, "Stand \(edit) van \(index)")
                ops.append(EncodedOp(op, proof: try writer.prove(op).proof))
            }
        }
        return ops
    }

    /// Writes the ops into `store` in batches of `batchSize`.
    public static func seed(_ store: KiemStore, with ops: [EncodedOp], batchSize: Int = 5_000) throws {
        var start = 0
        while start < ops.count {
            let end = min(start + batchSize, ops.count)
            try store.apply(Array(ops[start..<end]))
            start = end
        }
    }
}
