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

    /// A row for every organisation that owns, adopts or endorses one of
    /// `entries`: the largest owner first, ties by name. An organisation's
    /// entry on its own initiative (the rules refuse one) is not counted.
    static func rows(of entries: [PortfolioEntry]) -> [OrganisationRow] {
        var rows: [OrganisationID: OrganisationRow] = [:]
        for entry in entries {
            rows[entry.owner, default: OrganisationRow(organisation: entry.owner)].owned[entry.phase] += 1
            for (organisation, status) in entry.adoptions where status.isActive && organisation != entry.owner {
                rows[organisation, default: OrganisationRow(organisation: organisation)].adopting += 1
            }
            for organisation in entry.endorsers where organisation != entry.owner {
                rows[organisation, default: OrganisationRow(organisation: organisation)].endorsing += 1
            }
        }
        return rows.values.sorted {
            ($1.owned.total, $0.organisation) < ($0.owned.total, $1.organisation)
        }
    }
}
