/// One row of the phase × theme matrix.
public struct ThemeRow: Hashable, Sendable {
    /// The theme.
    public let theme: String
    /// Its initiatives by phase.
    public internal(set) var byPhase = PhaseCounts()

    /// The rows, filled entry by entry. An initiative counts once under each
    /// of its themes, so rows overlap, and one without a theme is in no row.
    struct Tally {
        private var rows: [String: ThemeRow] = [:]

        mutating func add(_ entry: PortfolioEntry) {
            for theme in entry.themes {
                rows[theme, default: ThemeRow(theme: theme)].byPhase[entry.phase] += 1
            }
        }

        /// The rows, the largest theme first, ties by name.
        func result() -> [ThemeRow] {
            rows.values.sorted { ($1.byPhase.total, $0.theme) < ($0.byPhase.total, $1.theme) }
        }
    }
}
