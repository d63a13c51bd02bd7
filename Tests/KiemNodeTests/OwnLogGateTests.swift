import KiemCore
@testable import KiemNode
import Testing

/// The decision that keeps a node from signing a seq twice after a restore
/// or a rebuild, as a table: the mark, what peers reported, the store's own
/// seq, and the verdict.
@Suite("OwnLogGate: a restored or rebuilt store writes only after its own log is back")
struct OwnLogGateTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var mark: String?
        /// (peer, own seq it reported), in order.
        var reports: [(String, UInt64)]
        var ownSeq: UInt64
        /// nil: .write; "clear": .writeAndClearMark; otherwise a word the wait reason must contain.
        var expected: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "first node of a new federation: no mark, no peer", mark: nil, reports: [], ownSeq: 0, expected: nil),
        Row(name: "demo node writing right after start", mark: nil, reports: [("svb-1", 0)], ownSeq: 0, expected: nil),
        Row(name: "running node, peers behind it", mark: nil, reports: [("svb-1", 3), ("rws-1", 5)], ownSeq: 5, expected: nil),
        Row(name: "unmarked store behind a peer waits", mark: nil, reports: [("svb-1", 12)], ownSeq: 0,
            expected: "up to seq 12 (svb-1 holds them)"),
        Row(name: "restored, no peer reached yet", mark: "restored from /b.kiem", reports: [], ownSeq: 3,
            expected: "restored from /b.kiem"),
        Row(name: "restored, a peer holds more of its log", mark: "restored from /b.kiem", reports: [("svb-1", 13)],
            ownSeq: 3, expected: "holds only up to seq 3"),
        Row(name: "restored, own ops pulled back", mark: "restored from /b.kiem", reports: [("svb-1", 13)], ownSeq: 13,
            expected: "clear"),
        Row(name: "restored, the peer knows nothing newer", mark: "restored from /b.kiem", reports: [("svb-1", 3)],
            ownSeq: 3, expected: "clear"),
        Row(name: "rebuilt empty, peer reports nothing of it", mark: "rebuilt", reports: [("svb-1", 0)], ownSeq: 0,
            expected: "clear"),
        Row(name: "the highest report counts, not the latest", mark: "restored", reports: [("svb-1", 13), ("rws-1", 4)],
            ownSeq: 10, expected: "up to seq 13 (svb-1 holds them)"),
        Row(name: "marked, caught up with one peer, another reports more", mark: "restored", reports: [("svb-1", 13), ("rws-1", 15)],
            ownSeq: 13, expected: "up to seq 15 (rws-1 holds them)"),
        Row(name: "a running node with ops of its own is the authority: a peer's higher claim does not stop it",
            mark: nil, reports: [("evil-1", 1_000_000)], ownSeq: 13, expected: nil),
    ]

    @Test(arguments: rows)
    func verdict(_ row: Row) throws {
        var gate = OwnLogGate(mark: row.mark)
        for (peer, seq) in row.reports { gate.peer(try NodeID(peer), holdsOwnOpsUpTo: seq) }
        let verdict = gate.verdict(ownSeq: row.ownSeq)
        switch (row.expected, verdict) {
        case (nil, .write), ("clear", .writeAndClearMark):
            break
        case let (expected?, .wait(reason)) where expected != "clear":
            #expect(reason.contains(expected), "\(reason)")
            #expect(reason.contains("never signs a seq twice"), "the reason says why: \(reason)")
        default:
            Issue.record("expected \(row.expected ?? "write"), got \(verdict)")
        }
    }

    @Test("once the mark is cleared the store writes, and a later higher report does not stop it: a member cannot pause another's writes")
    func clearedMark() throws {
        var gate = OwnLogGate(mark: "restored")
        gate.peer(try NodeID("svb-1"), holdsOwnOpsUpTo: 4)
        guard case .wait = gate.verdict(ownSeq: 3) else {
            Issue.record("a marked store behind a peer's report of its own log must wait")
            return
        }
        #expect(gate.verdict(ownSeq: 4) == .writeAndClearMark)
        gate.clearMark()
        #expect(gate.verdict(ownSeq: 4) == .write)
        gate.peer(try NodeID("rws-1"), holdsOwnOpsUpTo: 6)
        #expect(gate.verdict(ownSeq: 5) == .write)
    }
}
