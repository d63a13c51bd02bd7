import KiemCore
import KiemTestSupport
import Testing

/// The replica digest hashes each initiative's visible-state hash; it must
/// still tell every visible difference apart (the CRDT laws check that equal
/// states give equal digests).
@Suite struct StateDigestTests {
    @Test func everyVisibleChangeChangesTheDigest() {
        var uwv = SimulatedNode("uwv-1", organisation: "uwv")
        var svb = SimulatedNode("svb-1", organisation: "svb")
        var digests = [uwv.replica.digest]
        func record(_ op: Op) {
            svb.receive([op])
            digests.append(svb.replica.digest)
        }
        let create = uwv.create(InitiativeDraft(title: "MPC-pilot", summary: "Rekenen op versleutelde data", themes: ["mpc"]))
        let id = create.initiative
        record(create)
        record(uwv.setText(id, .summary, "Rekenen zonder de data te delen"))
        record(uwv.add(id, .themes, "ai"))
        record(uwv.setPhase(id, PhaseValue(.pilot)))
        record(uwv.logProgress(id, ProgressEntry(date: "2026-12-06", text: "Eerste berekening")))
        uwv.receive(svb.replica.receivedOps)
        record(svb.adopt(id, .exploring))
        record(svb.endorse(id))
        record(uwv.create(InitiativeDraft(title: "Robotica in de sluis", summary: "Sluizen op afstand")))
        #expect(Set(digests).count == digests.count)
        #expect(uwv.replica.digest != svb.replica.digest)
        uwv.receive(svb.replica.receivedOps)
        #expect(uwv.replica.digest == svb.replica.digest)
    }

    @Test func theVisibleStateHashIsTheHashOfTheVisibleStateBytes() throws {
        var node = SimulatedNode("uwv-1", organisation: "uwv")
        let create = node.create(InitiativeDraft(title: "Inkoop met AI", summary: "Aanbestedingen sneller beoordelen"))
        let initiative = try #require(node.replica.initiatives[create.initiative])
        #expect(initiative.visibleStateHash.count == Initiative.visibleStateHashSize)
        #expect(initiative.visibleStateHash == Initiative.visibleStateHash(of: initiative.visibleStateBytes))
    }
}
