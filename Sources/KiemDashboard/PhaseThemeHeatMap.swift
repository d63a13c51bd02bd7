import KiemCore

/// The phase × theme matrix as a heat map: a row per theme (the largest
/// first), a column per phase, each cell as dark as its count is large
/// relative to the largest cell, with the count written in it.
struct PhaseThemeHeatMap: Hashable {
    /// One cell.
    struct Cell: Hashable {
        /// The initiatives with the row's theme in the column's phase.
        let value: Int
        /// From 0 (empty) to 1 (the largest cell): the fill's opacity.
        let intensity: Double
    }

    /// One theme's row.
    struct Row: Hashable {
        let theme: String
        /// One cell per phase, in phase order.
        let cells: [Cell]
    }

    static let labelWidth = 150.0
    static let cellWidth = 70.0
    static let cellHeight = 26.0
    /// More rows would not be read; the theme table below lists them all.
    static let rowLimit = 15

    /// The rows shown, the largest theme first.
    let rows: [Row]
    /// The themes left out for space.
    let omitted: Int

    init(_ themes: [ThemeRow]) {
        let shown = themes.prefix(Self.rowLimit)
        let maximum = shown.flatMap { row in Phase.allCases.map { row.byPhase[$0] } }.max() ?? 0
        rows = shown.map { row in
            Row(theme: row.theme, cells: Phase.allCases.map { phase in
                Cell(value: row.byPhase[phase], intensity: ChartStyle.length(of: row.byPhase[phase], maximum: maximum, span: 1))
            })
        }
        omitted = themes.count - shown.count
    }

    /// The chart.
    var svg: Markup {
        let header = Phase.allCases.enumerated().map { index, phase -> Markup in
            "<text x=\"\(Self.labelWidth + (Double(index) + 0.5) * Self.cellWidth)\" y=\"14\" text-anchor=\"middle\">\(phase.description)</text>"
        }
        let body = rows.enumerated().map { rowIndex, row -> Markup in
            let y = 22 + Double(rowIndex) * Self.cellHeight
            let cells = zip(Phase.allCases, row.cells).enumerated().map { column, pair -> Markup in
                let (phase, cell) = pair
                let x = Self.labelWidth + Double(column) * Self.cellWidth
                return """
                    <g><title>\(row.theme), \(phase.description): \(cell.value)</title>\
                    <rect x="\(x + 1)" y="\(y + 1)" width="\(Self.cellWidth - 2)" height="\(Self.cellHeight - 2)" fill="#f3f3f3"/>\
                    <rect x="\(x + 1)" y="\(y + 1)" width="\(Self.cellWidth - 2)" height="\(Self.cellHeight - 2)" \
                    fill="\(ChartStyle.accent)" fill-opacity="\(cell.intensity * 100)%"/>\
                    <text x="\(x + Self.cellWidth / 2)" y="\(y + 17)" text-anchor="middle" \
                    fill="\(cell.intensity > 0.5 ? "#ffffff" : ChartStyle.ink)">\(cell.value)</text></g>
                    """
            }
            return """
                <text x="\(Self.labelWidth - 8)" y="\(y + 17)" text-anchor="end">\(ChartStyle.truncated(row.theme, to: 22))</text>\(cells)
                """
        }
        let height = 22 + Double(max(rows.count, 1)) * Self.cellHeight + (omitted > 0 ? 20 : 0)
        let empty: Markup = rows.isEmpty
            ? "<text x=\"\(Self.labelWidth)\" y=\"40\" fill=\"\(ChartStyle.muted)\">No initiative has a theme.</text>" : ""
        let more: Markup = omitted > 0
            ? "<text x=\"0\" y=\"\(height - 4)\" fill=\"\(ChartStyle.muted)\">and \(omitted) more themes</text>" : ""
        return ChartStyle.svg(
            width: Self.labelWidth + Double(Phase.allCases.count) * Self.cellWidth, height: height,
            title: "Initiatives by theme and phase", "\(header)\(body)\(empty)\(more)")
    }
}
