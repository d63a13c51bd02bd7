/// One row of the phase × theme matrix.
public struct ThemeRow: Hashable, Sendable {
    /// The theme.
    public let theme: String
    /// Its initiatives by phase.
    public internal(set) var byPhase = PhaseCounts()

    /// The rows of `entries`, the largest theme first, ties by name. An
    /// initiative counts once under each of its themes, so rows overlap, and
    /// one without a theme is in no row.
    static func rows(of entries: [PortfolioEntry]) -> [ThemeRow] {
        var rows: [String: ThemeRow] = [:]
        for entry in entries {
            for theme in entry.themes {
                rows[theme, default: ThemeRow(theme: theme)].byPhase[entry.phase] += 1
            }
        }
        return rows.values.sorted { ($1.byPhase.total, $0.theme) < ($0.byPhase.total, $1.theme) }
    }
}
