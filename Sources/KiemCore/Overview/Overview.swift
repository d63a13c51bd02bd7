/// What the regie sees: the portfolio of initiatives by phase, theme and
/// organisation, how far they got, who takes them up, what they grew from,
/// what stalled or stopped, and what moved lately.
///
/// A pure function of the entries, the filter and `now`: every list is sorted
/// with ties broken by initiative id (or name), so two nodes with the same
/// replica compute the same overview.
public struct Overview: Hashable, Sendable {
    /// The filter it was computed with.
    public let filter: OverviewFilter
    /// The time it was computed for, in milliseconds since 1970 (UTC).
    public let now: UInt64
    /// The days without movement after which an initiative is stalled.
    public let stalledAfterDays: Int
    /// The initiatives covered.
    public let total: Int
    /// The initiatives by current phase.
    public let byPhase: PhaseCounts
    /// How far they got from idea to scaling.
    public let funnel: Funnel
    /// The phase × theme matrix.
    public let themes: [ThemeRow]
    /// The phase × organisation matrix with each organisation's adoptions and
    /// endorsements of others' initiatives.
    public let organisations: [OrganisationRow]
    /// The initiatives piloted or adopted by two or more organisations other
    /// than the owner.
    public let adoptionSpread: [AdoptedInitiative]
    /// Every initiative with at least one active adoption by another
    /// organisation.
    public let adopted: [AdoptedInitiative]
    /// The lineage trees through `derivedFrom`.
    public let lineage: [LineageTree]
    /// The stalled initiatives, the longest still first.
    public let stalled: [StalledInitiative]
    /// The stopped initiatives with their lessons learned, the latest stopped
    /// first.
    public let stopped: [PortfolioEntry]
    /// The most recently changed initiatives, newest first.
    public let recent: [PortfolioEntry]
    /// Initiatives changed per ISO week over the last 12 weeks, oldest first.
    public let activity: [ActivityWeek]
    /// The portfolio labels organisations gave in their annotations, with
    /// the labelled initiatives by phase.
    public let labels: [LabelRow]
    /// The initiatives an organisation marked high priority.
    public let prioritised: [PrioritisedInitiative]

    /// Computes the overview of `entries`.
    /// - Parameters:
    ///   - filter: which initiatives to cover; archived ones never are.
    ///   - now: the wall-clock time, in milliseconds since 1970 (UTC), from
    ///     which stalls and activity weeks are reckoned.
    ///   - stalledAfterDays: the days without progress entry or phase change
    ///     after which an initiative is stalled; not negative.
    ///   - recentLimit: how many recently changed initiatives to list.
    public static func compute(
        _ entries: some Sequence<PortfolioEntry>, filter: OverviewFilter = OverviewFilter(), now: UInt64,
        stalledAfterDays: Int = 90, recentLimit: Int = 20
    ) -> Overview {
        var byPhase = PhaseCounts()
        var themes = ThemeRow.Tally()
        var organisations = OrganisationRow.Tally()
        var adopted = AdoptedInitiative.Tally()
        var lineage = LineageTree.Tally()
        var stalled = StalledInitiative.Tally(days: stalledAfterDays, now: now)
        var stopped: [PortfolioEntry] = []
        var recent = Recent(limit: recentLimit)
        var activity = ActivityWeek.Tally(count: 12, now: now)
        var labels = LabelRow.Tally()
        var prioritised = PrioritisedInitiative.Tally(now: now)
        // One pass: reading each entry once matters more than the work done
        // with it. Array(_:) of an array shares its storage, and the loop over
        // it is specialized, not a walk through a generic iterator.
        for entry in Array(entries) where filter.includes(entry) {
            byPhase[entry.phase] += 1
            themes.add(entry)
            organisations.add(entry)
            adopted.add(entry)
            lineage.add(entry)
            stalled.add(entry)
            if entry.phase == .stopped { stopped.append(entry) }
            recent.add(entry)
            activity.add(entry)
            labels.add(entry)
            prioritised.add(entry)
        }
        let (allAdopted, spread) = adopted.result()
        return Overview(
            filter: filter, now: now, stalledAfterDays: stalledAfterDays, total: byPhase.total,
            byPhase: byPhase, funnel: Funnel(byPhase), themes: themes.result(),
            organisations: organisations.result(), adoptionSpread: spread, adopted: allAdopted,
            lineage: lineage.result(), stalled: stalled.result(),
            stopped: stopped.sorted(byKey: { (stopped: $0.lastPhaseChange, id: $0.id) }) {
                ($1.stopped, $0.id) < ($0.stopped, $1.id)
            },
            recent: recent.result(), activity: activity.result(), labels: labels.result(),
            prioritised: prioritised.result()
        )
    }

    /// The `limit` most recently changed entries, newest first, ties by id;
    /// kept as they come instead of sorting them all.
    private struct Recent {
        let limit: Int
        private var newest: [PortfolioEntry] = []

        init(limit: Int) { self.limit = limit }

        mutating func add(_ entry: PortfolioEntry) {
            guard limit > 0, newest.count < limit || Self.isNewer(entry, than: newest[limit - 1]) else { return }
            newest.insert(entry, at: newest.firstIndex { Self.isNewer(entry, than: $0) } ?? newest.endIndex)
            if newest.count > limit { newest.removeLast() }
        }

        func result() -> [PortfolioEntry] { newest }

        private static func isNewer(_ a: PortfolioEntry, than b: PortfolioEntry) -> Bool {
            (b.lastChanged, a.id) < (a.lastChanged, b.id)
        }
    }
}
