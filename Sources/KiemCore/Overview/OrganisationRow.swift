/// One organisation in the overview: what it owns by phase (a row of the
/// phase × organisation matrix) and how it takes part in others' work.
public struct OrganisationRow: Hashable, Sendable {
    /// The organisation.
    public let organisation: OrganisationID
    /// The initiatives it owns, by phase.
    public internal(set) var owned = PhaseCounts()
    /// Other organisations' initiatives it is exploring, piloting or has
    /// adopted.
    public internal(set) var adopting = 0
    /// Other organisations' initiatives it endorses.
    public internal(set) var endorsing = 0

    /// The rows, filled entry by entry: one for every organisation that owns,
    /// adopts or endorses an initiative. An organisation's entry on its own
    /// initiative (the rules refuse one) is not counted.
    struct Tally {
        private var rows: [OrganisationID: OrganisationRow] = [:]

        mutating func add(_ entry: PortfolioEntry) {
            rows[entry.owner, default: OrganisationRow(organisation: entry.owner)].owned[entry.phase] += 1
            for (organisation, status) in entry.adoptions where status.isActive && organisation != entry.owner {
                rows[organisation, default: OrganisationRow(organisation: organisation)].adopting += 1
            }
            for organisation in entry.endorsers where organisation != entry.owner {
                rows[organisation, default: OrganisationRow(organisation: organisation)].endorsing += 1
            }
        }

        /// The rows, the largest owner first, ties by name.
        func result() -> [OrganisationRow] {
            rows.values.sorted { ($1.owned.total, $0.organisation) < ($0.owned.total, $1.organisation) }
        }
    }
}
