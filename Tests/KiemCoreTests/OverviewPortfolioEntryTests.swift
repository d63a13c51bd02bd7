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

    @Test func activityCountsEveryWeekAnInitiativeChangedIn() throws {
        let week: UInt64 = 7 * 86_400_000
        var clock = OverviewTests.now - 6 * week
        var uwv = SimulatedNode("uwv-1", organisation: "uwv", wallMillis: clock)
        let create = uwv.create(InitiativeDraft(title: "Wekelijks"))
        var replica = Replica()
        replica.apply([create])
        // Summary edits four and two weeks ago, then a phase change now:
        // only the latest change of each kind survives in the registers,
        // but every week with an op counts.
        for weeksAgo: UInt64 in [4, 2, 0] {
            uwv.advance(millis: OverviewTests.now - weeksAgo * week - clock)
            clock = OverviewTests.now - weeksAgo * week
            replica.apply([weeksAgo == 0 ? uwv.setPhase(create.initiative, PhaseValue(.pilot))
                                         : uwv.setText(create.initiative, .summary, "\(weeksAgo) weken terug")])
        }
        let initiative = try #require(replica.initiatives[create.initiative])
        #expect(initiative.activeDays.count == 4 && initiative.activeDays == initiative.activeDays.sorted())
        let entry = PortfolioEntry(initiative)
        #expect(try PortfolioEntry(canonicalBytes: entry.canonicalBytes).activeDays == initiative.activeDays)
        let activity = Overview.compute([entry], now: OverviewTests.now).activity.map(\.initiatives)
        #expect(activity == [0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1])

        // The same ops in another order give the same days.
        var shuffled = Replica()
        shuffled.apply(replica.receivedOps.reversed())
        #expect(shuffled.initiatives[create.initiative]?.activeDays == initiative.activeDays)
    }
}
