/// An initiative that an organisation marked high priority in its annotation:
/// what the regie steers on.
public struct PrioritisedInitiative: Hashable, Sendable {
    /// The initiative.
    public let entry: PortfolioEntry
    /// The organisation that marked it.
    public let organisation: OrganisationID
    /// That organisation's annotation.
    public let annotation: Annotation
    /// Whole days since it last moved (``PortfolioEntry/lastMovement``); 0
    /// if that is not before the overview's `now`.
    public let daysSinceMovement: Int

    /// The high-priority marks, found entry by entry.
    struct Tally {
        let now: UInt64
        private var marks: [PrioritisedInitiative] = []

        init(now: UInt64) { self.now = now }

        mutating func add(_ entry: PortfolioEntry) {
            for (organisation, annotation) in entry.annotations where annotation.priority == .high {
                let moved = entry.lastMovement.wallMillis
                marks.append(PrioritisedInitiative(
                    entry: entry, organisation: organisation, annotation: annotation,
                    daysSinceMovement: now > moved ? Int((now - moved) / millisPerDay) : 0))
            }
        }

        /// The marks by organisation, then the one that moved longest ago
        /// first (the likeliest to need a push), ties by id.
        consuming func result() -> [PrioritisedInitiative] {
            marks.sorted(byKey: { ($0.organisation, $0.entry.lastMovement, $0.entry.id) }, <)
        }
    }
}
