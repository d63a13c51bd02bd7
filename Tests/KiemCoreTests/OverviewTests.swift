import KiemCore
import Testing

/// The overview of constructed entries whose figures are known by hand.
@Suite struct OverviewTests {
    /// 2026-12-01T12:00:00Z, a Tuesday in ISO week 49.
    static let now: UInt64 = 1_796_126_400_000
    static let day: UInt64 = 86_400_000

    static let uwv = try! OrganisationID("uwv")
    static let svb = try! OrganisationID("svb")
    static let rws = try! OrganisationID("rws")
    static let bd = try! OrganisationID("belastingdienst")

    /// The id of the `number`th initiative; ids order by number.
    static func id(_ number: Int) -> InitiativeID {
        InitiativeID(timestamp: HLCTimestamp(wallMillis: 1_700_000_000_000 + UInt64(number), logical: 0), nodeHash: 7)
    }

    /// A timestamp `days` days (and `millis` milliseconds) before ``now``.
    static func ago(days: UInt64, millis: UInt64 = 0) -> HLCTimestamp {
        HLCTimestamp(wallMillis: now - days * day - millis, logical: 0)
    }

    /// An entry, by default an idea of UWV's, created `daysAgo` days before
    /// now; unless given, its phase change and last change are then too, and it
    /// has no progress.
    static func entry(
        _ number: Int, owner: OrganisationID = uwv, phase: Phase = .idea, themes: [String] = [],
        adoptions: [OrganisationID: AdoptionStatus] = [:], endorsers: [OrganisationID] = [],
        derivedFrom: Int? = nil, daysAgo: UInt64 = 1, phaseChanged: HLCTimestamp? = nil,
        progressed: HLCTimestamp? = nil, changed: HLCTimestamp? = nil, isArchived: Bool = false,
        annotations: [OrganisationID: Annotation] = [:]
    ) -> PortfolioEntry {
        PortfolioEntry(
            id: id(number), owner: owner, title: "Initiatief \(number)", phase: phase,
            lessonsLearned: phase == .stopped ? "Les \(number)" : nil, themes: themes, adoptions: adoptions,
            endorsers: endorsers, derivedFrom: derivedFrom.map(id), createdAt: ago(days: daysAgo),
            lastPhaseChange: phaseChanged ?? ago(days: daysAgo), lastProgress: progressed,
            lastChanged: changed ?? ago(days: daysAgo), isArchived: isArchived, annotations: annotations
        )
    }

    static func overview(_ entries: [PortfolioEntry], filter: OverviewFilter = OverviewFilter()) -> Overview {
        Overview.compute(entries, filter: filter, now: now)
    }

    @Test func countsByPhaseAndTheFunnel() {
        let phases: [Phase] = [.idea, .idea, .experiment, .pilot, .proven, .scaling, .stopped]
        let overview = Self.overview(phases.enumerated().map { Self.entry($0.offset, phase: $0.element) })
        #expect(overview.total == 7)
        #expect(Phase.allCases.map { overview.byPhase[$0] } == [2, 1, 1, 1, 1, 1])
        #expect(overview.byPhase.total == 7)
        #expect(overview.funnel.stages.map(\.phase) == [.idea, .experiment, .pilot, .proven, .scaling])
        #expect(overview.funnel.stages.map(\.reached) == [6, 4, 3, 2, 1])
        #expect(overview.funnel.stopped == 1)
    }

    @Test func archivedInitiativesAreLeftOutOfEveryFigure() {
        let archived = Self.entry(1, owner: Self.svb, themes: ["ai"], adoptions: [Self.rws: .adopted, Self.bd: .piloting],
                                  daysAgo: 200, isArchived: true)
        let overview = Self.overview([archived, Self.entry(2, themes: ["mpc"])])
        #expect(overview.total == 1)
        #expect(overview.themes.map(\.theme) == ["mpc"])
        #expect(overview.organisations.map(\.organisation) == [Self.uwv])
        #expect(overview.adopted.isEmpty && overview.adoptionSpread.isEmpty && overview.stalled.isEmpty)
        #expect(overview.recent.map(\.id) == [Self.id(2)])
    }

    @Test func thePhaseByThemeMatrixCountsEachThemeLargestFirst() {
        let overview = Self.overview([
            Self.entry(1, phase: .pilot, themes: ["ai", "mpc"]),
            Self.entry(2, phase: .idea, themes: ["ai"]),
            Self.entry(3, phase: .pilot, themes: ["robotica"]),
            Self.entry(4, phase: .stopped, themes: ["inkoop"]),
            Self.entry(5, phase: .idea),
        ])
        #expect(overview.themes.map(\.theme) == ["ai", "inkoop", "mpc", "robotica"])
        #expect(overview.themes.map(\.byPhase.total) == [2, 1, 1, 1])
        #expect(overview.themes[0].byPhase[.pilot] == 1 && overview.themes[0].byPhase[.idea] == 1)
        #expect(overview.themes[1].byPhase[.stopped] == 1)
    }

    @Test func organisationsOwnAdoptAndEndorse() {
        let overview = Self.overview([
            Self.entry(1, owner: Self.uwv, phase: .pilot, adoptions: [Self.svb: .piloting, Self.rws: .dropped],
                       endorsers: [Self.svb, Self.bd]),
            Self.entry(2, owner: Self.uwv, phase: .idea, adoptions: [Self.uwv: .adopted], endorsers: [Self.uwv]),
            Self.entry(3, owner: Self.svb, phase: .proven, adoptions: [Self.uwv: .exploring, Self.bd: .adopted]),
        ])
        let rows = Dictionary(uniqueKeysWithValues: overview.organisations.map { ($0.organisation, $0) })
        #expect(overview.organisations.map(\.organisation) == [Self.uwv, Self.svb, Self.bd])
        #expect(rows[Self.uwv]?.owned.total == 2 && rows[Self.uwv]?.owned[.pilot] == 1)
        #expect(rows[Self.uwv]?.adopting == 1, "its own adoption of #2 does not count")
        #expect(rows[Self.uwv]?.endorsing == 0, "nor its own endorsement")
        #expect(rows[Self.svb]?.owned[.proven] == 1 && rows[Self.svb]?.adopting == 1 && rows[Self.svb]?.endorsing == 1)
        #expect(rows[Self.bd]?.owned.total == 0 && rows[Self.bd]?.adopting == 1 && rows[Self.bd]?.endorsing == 1)
        #expect(rows[Self.rws] == nil, "a dropped adoption is no part in the work")
    }

    @Test func adoptionSpreadNeedsTwoOtherOrganisationsPilotingOrAdopting() {
        let overview = Self.overview([
            Self.entry(1, adoptions: [Self.svb: .piloting, Self.rws: .adopted]),
            Self.entry(2, adoptions: [Self.svb: .adopted, Self.rws: .dropped]),
            Self.entry(3, adoptions: [Self.uwv: .adopted, Self.svb: .piloting]),
            Self.entry(4, adoptions: [Self.svb: .exploring, Self.rws: .exploring, Self.bd: .exploring]),
            Self.entry(5, adoptions: [Self.svb: .dropped]),
            Self.entry(6, owner: Self.svb, adoptions: [Self.uwv: .adopted, Self.rws: .adopted, Self.bd: .piloting]),
        ])
        #expect(overview.adoptionSpread.map(\.entry.id) == [Self.id(6), Self.id(1)])
        #expect(overview.adoptionSpread.map(\.takenUp) == [3, 2])
        #expect(overview.adoptionSpread[0].adopted == 2 && overview.adoptionSpread[0].piloting == 1)
        #expect(overview.adopted.map(\.entry.id) == [6, 4, 1, 2, 3].map(Self.id))
        #expect(overview.adopted.map(\.active) == [3, 3, 2, 1, 1])
        #expect(overview.adopted[1].exploring == 3 && !overview.adopted[1].isSpread)
        #expect(overview.adopted.first { $0.entry.id == Self.id(2) }?.adopters == [Self.svb: .adopted])
        #expect(overview.adopted.first { $0.entry.id == Self.id(3) }?.adopters == [Self.svb: .piloting])
    }

    @Test func lineageTreesWithAThreeLevelChainAndMissingParents() {
        let overview = Self.overview([
            Self.entry(1),
            Self.entry(2, derivedFrom: 1),
            Self.entry(3, derivedFrom: 2),
            Self.entry(4, derivedFrom: 1),
            Self.entry(5),
            Self.entry(6, derivedFrom: 99),
            Self.entry(7, derivedFrom: 6),
            Self.entry(8, derivedFrom: 9),
            Self.entry(9),
        ])
        #expect(overview.lineage.map(\.root.id) == [1, 6, 8].map(Self.id))
        #expect(overview.lineage.map(\.parentMissing) == [false, true, true])
        #expect(overview.lineage[0].nodes.map(\.entry.id) == [1, 2, 3, 4].map(Self.id))
        #expect(overview.lineage[0].nodes.map(\.depth) == [0, 1, 2, 1])
        #expect(overview.lineage[1].nodes.map(\.entry.id) == [6, 7].map(Self.id))
        #expect(overview.lineage[2].nodes.map(\.entry.id) == [Self.id(8)], "a parent created after its child is refused")
    }

    @Test func stalledStartsOneMillisecondAfterTheLimit() {
        let atLimit = Self.entry(1, daysAgo: 300, phaseChanged: Self.ago(days: 90), changed: Self.ago(days: 1))
        let pastLimit = Self.entry(2, daysAgo: 100, phaseChanged: Self.ago(days: 90, millis: 1))
        let longAgo = Self.entry(3, daysAgo: 400, changed: Self.ago(days: 1))
        let overview = Self.overview([atLimit, pastLimit, longAgo])
        #expect(overview.stalled.map(\.entry.id) == [Self.id(3), Self.id(2)], "oldest first; an edit is no movement")
        #expect(overview.stalled.map(\.daysSinceMovement) == [400, 90])
        let strict = Overview.compute([atLimit, pastLimit], now: Self.now, stalledAfterDays: 30)
        #expect(strict.stalled.map(\.entry.id) == [Self.id(2), Self.id(1)])
        #expect(strict.stalledAfterDays == 30)
    }

    @Test func aProgressEntryResetsTheStallAndStoppedNeverStalls() {
        let progressing = Self.entry(1, daysAgo: 200, progressed: Self.ago(days: 10))
        let stopped = Self.entry(2, phase: .stopped, daysAgo: 500)
        let justNow = Self.entry(3, daysAgo: 0)
        let overview = Self.overview([progressing, stopped, justNow])
        #expect(overview.stalled.isEmpty)
        #expect(progressing.lastMovement == Self.ago(days: 10))
    }

    @Test func stoppedInitiativesWithLessonsLatestFirst() {
        let overview = Self.overview([
            Self.entry(1, phase: .stopped, daysAgo: 30),
            Self.entry(2, phase: .pilot),
            Self.entry(3, phase: .stopped, daysAgo: 5),
            Self.entry(4, phase: .stopped, daysAgo: 30),
        ])
        #expect(overview.stopped.map(\.id) == [3, 1, 4].map(Self.id))
        #expect(overview.stopped.map(\.lessonsLearned) == ["Les 3", "Les 1", "Les 4"])
    }

    @Test func recentActivityIsTheNewestChangesTiesById() {
        let entries = [Self.entry(1, daysAgo: 3), Self.entry(2, daysAgo: 1), Self.entry(3, daysAgo: 2), Self.entry(4, daysAgo: 1)]
        #expect(Overview.compute(entries, now: Self.now, recentLimit: 3).recent.map(\.id) == [2, 4, 3].map(Self.id))
        #expect(Overview.compute(entries, now: Self.now, recentLimit: 0).recent.isEmpty)
        #expect(Overview.compute(entries, now: Self.now).recent.count == 4)
    }

    @Test func activityCountsEachInitiativeOncePerWeekItMovedIn() {
        let twoWeeks = Self.entry(1, daysAgo: 14, progressed: Self.ago(days: 0))
        let overview = Self.overview([twoWeeks, Self.entry(2, daysAgo: 0), Self.entry(3, daysAgo: 400)])
        #expect(overview.activity.count == 12)
        #expect(overview.activity.first?.label == "2026-W38" && overview.activity.last?.label == "2026-W49")
        #expect(overview.activity.last?.start == 1_795_996_800_000, "Monday 2026-11-30 00:00 UTC")
        #expect(overview.activity.map(\.initiatives) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2])
    }

    @Test(arguments: [
        (UInt64(1_798_804_800_000), "2026-W53"), (1_609_675_200_000, "2020-W53"), (1_767_009_600_000, "2026-W01"),
    ])
    func weeksAreLabelledByISOWeekYear(now: UInt64, label: String) {
        #expect(Overview.compute([], now: now).activity.last?.label == label)
    }

    @Test func filtersCombineThemesOwnersAndSince() {
        let entries = [
            Self.entry(1, owner: Self.uwv, themes: ["ai"], daysAgo: 5),
            Self.entry(2, owner: Self.uwv, themes: ["mpc", "inkoop"], daysAgo: 5),
            Self.entry(3, owner: Self.svb, themes: ["ai"], daysAgo: 5),
            Self.entry(4, owner: Self.uwv, themes: ["robotica"], daysAgo: 5),
            Self.entry(5, owner: Self.uwv, themes: ["ai"], daysAgo: 40),
        ]
        let since = Self.ago(days: 30).wallMillis
        let filter = OverviewFilter(themes: ["ai", "mpc"], owners: [Self.uwv], since: since)
        #expect(Self.overview(entries, filter: filter).recent.map(\.id) == [1, 2].map(Self.id))
        #expect(Self.overview(entries, filter: OverviewFilter(owners: [Self.svb])).total == 1)
        #expect(Self.overview(entries, filter: OverviewFilter(themes: ["ai"])).total == 3)
        #expect(Self.overview(entries, filter: OverviewFilter(since: Self.ago(days: 5).wallMillis)).total == 4)
    }

    @Test func theOrderOfTheEntriesDoesNotMatter() {
        let entries = (0..<60).map { number in
            Self.entry(number, owner: [Self.uwv, Self.svb, Self.rws][number % 3], phase: Phase.allCases[number % 6],
                       themes: [["ai"], ["mpc", "ai"], []][number % 3],
                       adoptions: number % 4 == 0 ? [Self.bd: .piloting, Self.svb: .adopted] : [:],
                       derivedFrom: number % 5 == 4 ? number - 2 : nil, daysAgo: UInt64(number * 7 % 130))
        }
        var generator = SystemRandomNumberGenerator()
        #expect(Self.overview(entries.shuffled(using: &generator)) == Self.overview(entries))
    }
}
