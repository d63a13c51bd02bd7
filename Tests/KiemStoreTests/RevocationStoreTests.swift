import Foundation
import KiemCore
import KiemStore
import KiemTestSupport
import Testing

/// A revocation rejects its identity's ops written from its time on, on a
/// store that holds them already as on one that receives them later: both
/// end equal, and what others built on the rejected ops is held or rejected
/// alike.
@Suite("revocations in the store")
struct RevocationStoreTests {
    /// uwv-1 writes initiative A, then, a minute later (after the key was
    /// stolen), initiative B; svb-1 adopts B and endorses A.
    struct History {
        var uwvBefore: [Op]
        var uwvAfter: [Op]
        var svb: [Op]
        var revokedFrom: HLCTimestamp
        var stolenTitle = "Gestolen sleutel initiatief"
        var all: [Op] { uwvBefore + uwvAfter + svb }

        init() {
            var uwv = Fixtures.node("uwv-1", "uwv")
            var svb = Fixtures.node("svb-1", "svb")
            let first = uwv.create(InitiativeDraft(title: "Robotisering bezwaar", themes: ["ai"]))
            uwvBefore = [first, uwv.setText(first.initiative, .summary, "Eerste stand")]
            uwv.advance(millis: 60_000)
            revokedFrom = HLCTimestamp(wallMillis: uwvBefore.last!.hlc.wallMillis + 30_000, logical: 0)
            let stolen = uwv.create(InitiativeDraft(title: stolenTitle, themes: ["mpc"]))
            uwvAfter = [stolen, uwv.setPhase(stolen.initiative, PhaseValue(.experiment)),
                        uwv.setText(first.initiative, .summary, "Overschreven door een dief")]
            svb.receive(uwvBefore + uwvAfter)
            self.svb = [svb.adopt(stolen.initiative, .exploring), svb.endorse(first.initiative)]
        }

        func revocation(of node: String?, organisation: String = "uwv", id: UInt8 = 1) -> StoredRevocation {
            StoredRevocation(
                id: [UInt8](repeating: id, count: 32), organisation: Fixtures.organisation(organisation),
                node: node.map(Fixtures.nodeID), revokedAt: revokedFrom, signed: [id], receivedMillis: 1_796_126_400_000)
        }
    }

    @Test("a revocation added after the ops rejects those written from its time on, and the store equals one that had it first")
    func afterEqualsBefore() throws {
        let history = History()
        try withTemporaryDirectory { directory in
            let late = try KiemStore.open(path: directory.path("late.sqlite"))
            defer { try? late.close() }
            try late.apply(history.all)
            #expect(try late.initiatives(matching: InitiativeQuery(text: "Gestolen")).count == 1)

            let early = try KiemStore.open(path: directory.path("early.sqlite"))
            defer { try? early.close() }
            #expect(try early.addRevocation(history.revocation(of: "uwv-1")) == 0)
            try early.apply(history.all)

            #expect(try late.addRevocation(history.revocation(of: "uwv-1")) == 3)
            #expect(try late.addRevocation(history.revocation(of: "uwv-1")) == nil, "the same revocation twice changes nothing")
            #expect(try late.digest() == early.digest())
            #expect(try late.counts() == early.counts())
            #expect(try late.counts().rejected == 3)
            #expect(try late.counts().held == 1, "svb-1's adoption waits for a creation that was rejected")
            #expect(try late.versionVector() == early.versionVector(), "rejected ops stay in the log: chains and vectors are whole")
            #expect(try late.versionVector()[Fixtures.nodeID("uwv-1")] == 5)
            #expect(try late.initiatives(matching: InitiativeQuery(text: "Gestolen")).isEmpty)
            let summary = try late.initiativeState(history.uwvBefore[0].initiative)?.text(.summary)
            #expect(summary == "Eerste stand", "the thief's edit of an older initiative is undone")
            #expect(try late.rejectedOps().allSatisfy { $0.rejection.rule == .revoked })
        }
    }

    @Test("an organisation's revocation covers every node of it; revocations survive a reopen and apply to ops that arrive later")
    func organisationAndReopen() throws {
        let history = History()
        try withTemporaryDirectory { directory in
            let store = try KiemStore.open(path: directory.storePath)
            try store.apply(history.uwvBefore)
            #expect(try store.addRevocation(history.revocation(of: nil, id: 2)) == 0)
            try store.close()

            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            #expect(try reopened.revocations() == [history.revocation(of: nil, id: 2)])
            let outcome = try reopened.apply(history.uwvAfter + history.svb)
            #expect(outcome.rejected.map(\.0.id) == history.uwvAfter.map(\.id))
            #expect(outcome.rejected.allSatisfy { $0.1.rule == .revoked })
            #expect(try reopened.counts().initiatives == 1)
        }
    }
}
