/// One portfolio label of one organisation (an ``Annotation/label``): the
/// initiatives it files under that label by phase, and how many of them it
/// marks high priority.
public struct LabelRow: Hashable, Sendable {
    /// The organisation that gave the label.
    public let organisation: OrganisationID
    /// The label.
    public let label: String
    /// The labelled initiatives by phase.
    public internal(set) var byPhase = PhaseCounts()
    /// How many of them the organisation marks high priority.
    public internal(set) var highPriority = 0

    /// The rows, filled entry by entry.
    struct Tally {
        private var rows: [Key: LabelRow] = [:]

        private struct Key: Hashable {
            let organisation: OrganisationID
            let label: String
        }

        mutating func add(_ entry: PortfolioEntry) {
            for (organisation, annotation) in entry.annotations where !annotation.label.isEmpty {
                let key = Key(organisation: organisation, label: annotation.label)
                rows[key, default: LabelRow(organisation: organisation, label: annotation.label)].byPhase[entry.phase] += 1
                if annotation.priority == .high { rows[key]!.highPriority += 1 }
            }
        }

        /// The rows by organisation, then label.
        func result() -> [LabelRow] {
            rows.values.sorted { ($0.organisation, $0.label) < ($1.organisation, $1.label) }
        }
    }
}
