import KiemCore
import KiemTestSupport
import Testing

/// `PortfolioEntry(initiative)` takes the right facts from replicated
/// initiatives, and the overview of them comes out as written.
@Suite struct OverviewPortfolioEntryTests {
    @Test func entriesFromReplicatedInitiatives() {
        var uwv = SimulatedNode("uwv-1", organisation: "uwv")
        var svb = SimulatedNode("svb-1", organisation: "svb")
        var rws = SimulatedNode("rws-1", organisation: "rws")
        let create = uwv.create(InitiativeDraft(title: "Procesmining bij inkoop", themes: ["inkoop"]))
        let archivedCreate = uwv.create(InitiativeDraft(title: "Oude pilot"))
        let original = create.initiative
        svb.receive([create])
        rws.receive([create])
        let adopt = svb.adopt(original, .piloting)
        let endorse = svb.endorse(original)
        let derived = svb.create(InitiativeDraft(title: "Procesmining bij SVB", derivedFrom: original))
        let rwsEndorsements = [rws.endorse(original), rws.endorse(original, false)]
        uwv.advance(millis: 60_000)
        uwv.receive([adopt, endorse, derived] + rwsEndorsements)
        let theme = uwv.add(original, .themes, "ai")
        let stop = uwv.setPhase(original, PhaseValue(.stopped, lessonsLearned: "Te weinig data"))
        let progress = uwv.logProgress(original, ProgressEntry(date: "2025-12-01", text: "Evaluatie afgerond"))
        uwv.setArchived(archivedCreate.initiative, true)

        let entries = uwv.replica.initiatives.values.map(PortfolioEntry.init)
        let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0) })
        let entry = byID[original]!
        #expect(entry.owner == uwv.organisation && entry.title == "Procesmining bij inkoop")
        #expect(entry.phase == .stopped && entry.lessonsLearned == "Te weinig data")
        #expect(entry.themes == ["ai", "inkoop"])
        #expect(entry.adoptions == [svb.organisation: .piloting])
        #expect(entry.endorsers == [svb.organisation], "rws withdrew its endorsement")
        #expect(entry.endorsementCount == 1)
        #expect(entry.derivedFrom == nil && !entry.isArchived)
        #expect(entry.createdAt == create.hlc)
        #expect(entry.lastPhaseChange == stop.hlc)
        #expect(entry.lastProgress == progress.hlc)
        let ops = [create, adopt, endorse, theme, stop, progress] + rwsEndorsements
        #expect(entry.lastChanged == ops.map(\.hlc).max())

        let derivedEntry = byID[derived.initiative]!
        #expect(derivedEntry.owner == svb.organisation && derivedEntry.derivedFrom == original)
        #expect(derivedEntry.phase == .idea && derivedEntry.lessonsLearned == nil)
        #expect(derivedEntry.lastPhaseChange == derived.hlc && derivedEntry.lastProgress == nil)
        #expect(byID[archivedCreate.initiative]!.isArchived)

        let overview = Overview.compute(entries, now: progress.hlc.wallMillis)
        #expect(overview.total == 2)
        #expect(overview.stopped.map(\.id) == [original])
        #expect(overview.adopted.map(\.adopters) == [[svb.organisation: .piloting]])
        #expect(overview.lineage.map { $0.nodes.map(\.entry.id) } == [[original, derived.initiative]])
    }
}
