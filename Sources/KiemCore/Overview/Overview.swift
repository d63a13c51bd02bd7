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
        // Array(_:) of an array shares its storage; the filter on the array is
        // then specialized, not a walk through a generic iterator.
        let covered = Array(entries).filter(filter.includes)
        var byPhase = PhaseCounts()
        for entry in covered { byPhase[entry.phase] += 1 }
        let adopted = AdoptedInitiative.all(in: covered)
        return Overview(
            filter: filter, now: now, stalledAfterDays: stalledAfterDays, total: covered.count,
            byPhase: byPhase, funnel: Funnel(byPhase), themes: ThemeRow.rows(of: covered),
            organisations: OrganisationRow.rows(of: covered),
            adoptionSpread: AdoptedInitiative.spread(of: adopted), adopted: adopted,
            lineage: LineageTree.trees(of: covered),
            stalled: StalledInitiative.all(in: covered, days: stalledAfterDays, now: now),
            stopped: covered.filter { $0.phase == .stopped }
                .sorted(byKey: { (stopped: $0.lastPhaseChange, id: $0.id) }) {
                    ($1.stopped, $0.id) < ($0.stopped, $1.id)
                },
            recent: newest(recentLimit, of: covered),
            activity: ActivityWeek.weeks(of: covered, count: 12, now: now)
        )
    }

    /// The `limit` most recently changed of `entries`, newest first, ties by
    /// id; without sorting them all.
    private static func newest(_ limit: Int, of entries: [PortfolioEntry]) -> [PortfolioEntry] {
        func isNewer(_ a: PortfolioEntry, than b: PortfolioEntry) -> Bool {
            (b.lastChanged, a.id) < (a.lastChanged, b.id)
        }
        guard limit > 0 else { return [] }
        var newest: [PortfolioEntry] = []
        for entry in entries where newest.count < limit || isNewer(entry, than: newest[limit - 1]) {
            newest.insert(entry, at: newest.firstIndex { isNewer(entry, than: $0) } ?? newest.endIndex)
            if newest.count > limit { newest.removeLast() }
        }
        return newest
    }
}

/// Milliseconds in a day, for reckoning in days and weeks (UTC, no leap
/// seconds, as HLC wall times are).
let millisPerDay: UInt64 = 86_400_000
