import KiemCore
import Testing

/// Where the held-op quota cuts a batch, as a table (origins by name).
@Suite struct HeldOpQuotaTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var quota: Int
        /// The batch's ops still held at its end: origin and seq.
        var held: [(String, UInt64)]
        var heldAfter: [String: Int]
        var cuts: [String: UInt64]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "under the quota: no cut", quota: 5, held: [("sz-1", 1), ("sz-1", 2), ("sz-1", 3)],
            heldAfter: ["sz-1": 3], cuts: [:]),
        Row(name: "exactly at the quota: no cut", quota: 3, held: [("sz-1", 1), ("sz-1", 2), ("sz-1", 3)],
            heldAfter: ["sz-1": 3], cuts: [:]),
        Row(name: "over: cut at the first held op beyond it", quota: 2, held: [("sz-1", 4), ("sz-1", 7), ("sz-1", 9)],
            heldAfter: ["sz-1": 3], cuts: ["sz-1": 9]),
        Row(name: "held before the batch count against it", quota: 4,
            held: [("sz-1", 10), ("sz-1", 11), ("sz-1", 12)], heldAfter: ["sz-1": 6], cuts: ["sz-1": 11]),
        Row(name: "already over before the batch (quota lowered): cut at its first held op", quota: 2,
            held: [("sz-1", 20), ("sz-1", 21)], heldAfter: ["sz-1": 9], cuts: ["sz-1": 20]),
        Row(name: "unordered input is cut by seq", quota: 1, held: [("sz-1", 8), ("sz-1", 3), ("sz-1", 5)],
            heldAfter: ["sz-1": 3], cuts: ["sz-1": 5]),
        Row(name: "each origin has its own quota", quota: 2,
            held: [("sz-1", 1), ("sz-1", 2), ("sz-1", 3), ("uwv-1", 1), ("uwv-1", 2)],
            heldAfter: ["sz-1": 3, "uwv-1": 2], cuts: ["sz-1": 3]),
    ]

    @Test(arguments: rows)
    func cuts(_ row: Row) throws {
        let held = try row.held.map { OpID(origin: try NodeID($0.0), seq: $0.1) }
        let after = Dictionary(uniqueKeysWithValues: try row.heldAfter.map { (try NodeID($0.key), $0.value) })
        let expected = Dictionary(uniqueKeysWithValues: try row.cuts.map { (try NodeID($0.key), $0.value) })
        #expect(HeldOpQuota(perOrigin: row.quota).cuts(heldInBatch: held, heldAfter: after) == expected)
    }

    @Test func resumesAtHalfAndNeverBelowOne() {
        #expect(HeldOpQuota(perOrigin: 10).resumeAt == 5)
        #expect(HeldOpQuota(perOrigin: 0).perOrigin == 1)
        #expect(HeldOpQuota().perOrigin == HeldOpQuota.defaultPerOrigin)
    }
}
