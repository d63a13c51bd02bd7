import KiemCore
import KiemTestSupport

/// Small hand-made histories for the store tests.
enum Fixtures {
    static func node(_ name: String, _ organisation: String, at millis: UInt64 = 1_764_400_000_000) -> SimulatedNode {
        SimulatedNode(name, organisation: organisation, wallMillis: millis)
    }

    static func organisation(_ name: String) -> OrganisationID { try! OrganisationID(name) }

    static func nodeID(_ name: String) -> NodeID { try! NodeID(name) }

    /// `count` initiatives by one node, each with a create and an edit.
    static func simpleHistory(count: Int, node name: String = "uwv-1", organisation: String = "uwv") -> [Op] {
        var node = node(name, organisation)
        return simpleHistory(count: count, on: &node)
    }

    /// `count` initiatives written on `node`, which can write more afterwards.
    static func simpleHistory(count: Int, on node: inout SimulatedNode) -> [Op] {
        var ops: [Op] = []
        for index in 0..<count {
            let create = node.create(InitiativeDraft(
                title: "Initiatief \(index)", summary: "Samenvatting \(index)", themes: ["ai"]))
            ops.append(create)
            ops.append(node.setPhase(create.initiative, PhaseValue(.experiment)))
        }
        return ops
    }

    /// Ops grouped per origin, each group in seq order.
    static func perOrigin(_ ops: [Op]) -> [NodeID: [Op]] {
        Dictionary(grouping: ops, by: \.origin).mapValues { $0.sorted { $0.id.seq < $1.id.seq } }
    }

    /// The ops in an order that keeps each origin's seq order but interleaves
    /// origins randomly, so ops often arrive before what they depend on.
    static func interleaved(_ ops: [Op], using rng: inout SeededGenerator) -> [Op] {
        var queues = perOrigin(ops).sorted { $0.key < $1.key }.map { ArraySlice($0.value) }
        var result: [Op] = []
        result.reserveCapacity(ops.count)
        while !queues.isEmpty {
            let index = Int.random(in: 0..<queues.count, using: &rng)
            result.append(queues[index].removeFirst())
            if queues[index].isEmpty { queues.remove(at: index) }
        }
        return result
    }

    /// Splits `ops` into consecutive batches of random sizes from 1 to `maximum`.
    static func randomBatches<Element>(_ ops: [Element], maximum: Int, using rng: inout SeededGenerator) -> [[Element]] {
        var batches: [[Element]] = []
        var start = 0
        while start < ops.count {
            let size = Int.random(in: 1...maximum, using: &rng)
            batches.append(Array(ops[start..<min(ops.count, start + size)]))
            start += size
        }
        return batches
    }
}
