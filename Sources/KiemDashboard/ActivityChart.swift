import KiemCore

/// Activity over time: one vertical bar per ISO week, as high as the
/// initiatives that changed in it, oldest week on the left.
struct ActivityChart: Hashable {
    /// One week's bar.
    struct Bar: Hashable {
        /// The ISO week, e.g. `2026-W09`.
        let week: String
        /// The initiatives that changed in it.
        let value: Int
        /// The bar's height in user units, proportional to ``value``.
        let height: Double
    }

    static let columnWidth = 44.0
    static let barSpan = 120.0
    static let top = 18.0

    /// The bars, oldest week first.
    let bars: [Bar]

    init(_ weeks: [ActivityWeek]) {
        let maximum = weeks.map(\.initiatives).max() ?? 0
        bars = weeks.map {
            Bar(week: $0.label, value: $0.initiatives,
                height: ChartStyle.length(of: $0.initiatives, maximum: maximum, span: Self.barSpan))
        }
    }

    /// The chart.
    var svg: Markup {
        let baseline = Self.top + Self.barSpan
        let columns = bars.enumerated().map { index, bar -> Markup in
            let x = Double(index) * Self.columnWidth
            let week = bar.week.split(separator: "-").last.map(String.init) ?? bar.week
            return """
                <g><title>\(bar.week): \(bar.value) initiatives changed</title>\
                <rect x="\(x + 8)" y="\(baseline - bar.height)" width="\(Self.columnWidth - 16)" height="\(bar.height)" \
                fill="\(ChartStyle.accent)"/>\
                <text x="\(x + Self.columnWidth / 2)" y="\(baseline - bar.height - 4)" text-anchor="middle">\(bar.value)</text>\
                <text x="\(x + Self.columnWidth / 2)" y="\(baseline + 16)" text-anchor="middle" fill="\(ChartStyle.muted)">\
                \(week)</text></g>
                """
        }
        let width = max(1, Double(bars.count)) * Self.columnWidth
        return ChartStyle.svg(
            width: width, height: baseline + 24, title: "Activity: initiatives changed per week",
            """
            \(columns)<line x1="0" y1="\(baseline)" x2="\(width)" y2="\(baseline)" stroke="\(ChartStyle.muted)"/>
            """)
    }
}
