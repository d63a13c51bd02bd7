import KiemCore
import KiemTestSupport
import Testing

/// Which ops a revocation rejects, as a table: by origin node or by author
/// organisation, from the revocation's time on, the earlier of two winning.
@Suite("revocation cutoffs")
struct RevocationCutoffsTests {
    static let t = HLCTimestamp(wallMillis: 1_796_126_400_000, logical: 0)

    static func op(_ node: String, _ organisation: String, at hlc: HLCTimestamp) -> Op {
        let origin = try! NodeID(node)
        return Op(id: OpID(origin: origin, seq: 1), hlc: hlc, author: try! OrganisationID(organisation),
                  initiative: InitiativeID(timestamp: hlc, node: origin), mutation: .create(InitiativeDraft(title: "Pilot")))
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var revokedNode: String?
        var revokedOrganisation: String
        var op: Op
        var rejected: Bool
        var testDescription: String {
            "\(revokedNode ?? "*")@\(revokedOrganisation) vs \(op.origin)@\(op.author) at \(op.hlc): \(rejected ? "rejected" : "kept")"
        }
    }

    static let rows: [Row] = [
        Row(revokedNode: "uwv-1", revokedOrganisation: "uwv", op: op("uwv-1", "uwv", at: t), rejected: true),
        Row(revokedNode: "uwv-1", revokedOrganisation: "uwv", op: op("uwv-1", "uwv", at: HLCTimestamp(rawValue: t.rawValue + 1)), rejected: true),
        Row(revokedNode: "uwv-1", revokedOrganisation: "uwv", op: op("uwv-1", "uwv", at: HLCTimestamp(rawValue: t.rawValue - 1)), rejected: false),
        Row(revokedNode: "uwv-1", revokedOrganisation: "uwv", op: op("uwv-2", "uwv", at: t), rejected: false),
        Row(revokedNode: nil, revokedOrganisation: "uwv", op: op("uwv-2", "uwv", at: t), rejected: true),
        Row(revokedNode: nil, revokedOrganisation: "uwv", op: op("svb-1", "svb", at: t), rejected: false),
        Row(revokedNode: nil, revokedOrganisation: "uwv", op: op("uwv-2", "uwv", at: HLCTimestamp(rawValue: t.rawValue - 1)), rejected: false),
    ]

    @Test("a revocation rejects its node's or organisation's ops from its time on", arguments: rows)
    func table(_ row: Row) throws {
        var cutoffs = RevocationCutoffs()
        cutoffs.revoke(organisation: try OrganisationID(row.revokedOrganisation), node: try row.revokedNode.map(NodeID.init), from: Self.t)
        #expect(cutoffs.revokes(row.op) == row.rejected)
        let verdict = Rules.judge(row.op, initiative: nil, revocations: cutoffs) { _ in .unknown }
        if row.rejected {
            guard case let .reject(rejection) = verdict else { Issue.record("not rejected: \(verdict)"); return }
            #expect(rejection.rule == .revoked)
        } else {
            #expect(verdict == .accept)
        }
    }

    @Test("two revocations of one identity keep the earlier time; a node's and its organisation's, the earlier of the two")
    func earliestWins() throws {
        let uwv = try OrganisationID("uwv")
        let node = try NodeID("uwv-1")
        let later = HLCTimestamp(rawValue: Self.t.rawValue + 1_000)
        var cutoffs = RevocationCutoffs()
        cutoffs.revoke(organisation: uwv, node: node, from: later)
        cutoffs.revoke(organisation: uwv, node: node, from: Self.t)
        cutoffs.revoke(organisation: uwv, node: node, from: later)
        #expect(cutoffs.cutoff(origin: node, organisation: uwv) == Self.t)
        var whole = RevocationCutoffs()
        whole.revoke(organisation: uwv, node: nil, from: later)
        whole.revoke(organisation: uwv, node: node, from: Self.t)
        #expect(whole.cutoff(origin: node, organisation: uwv) == Self.t)
        #expect(whole.cutoff(origin: try NodeID("uwv-2"), organisation: uwv) == later)
        #expect(RevocationCutoffs().isEmpty && !whole.isEmpty)
    }
}
