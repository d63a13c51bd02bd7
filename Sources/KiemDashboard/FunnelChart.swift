import KiemCore

/// The funnel idea → scaling as horizontal bars, one per stage, each as long
/// as the initiatives that reached it; stopped initiatives form a last, grey
/// bar apart.
struct FunnelChart: Hashable {
    /// One bar.
    struct Bar: Hashable {
        /// The phase name.
        let label: String
        /// The initiatives.
        let value: Int
        /// The bar's length in user units, proportional to ``value``.
        let width: Double
        /// Its fill.
        let colour: String
    }

    static let labelWidth = 90.0
    static let barSpan = 380.0
    static let rowHeight = 28.0

    /// The bars, idea first, stopped last.
    let bars: [Bar]

    init(_ funnel: Funnel) {
        let maximum = max(funnel.stages.map(\.reached).max() ?? 0, funnel.stopped)
        let rows = funnel.stages.map { ($0.phase, $0.reached) } + [(Phase.stopped, funnel.stopped)]
        bars = rows.map { phase, value in
            Bar(label: phase.description, value: value,
                width: ChartStyle.length(of: value, maximum: maximum, span: Self.barSpan),
                colour: ChartStyle.colour(of: phase))
        }
    }

    /// The chart.
    var svg: Markup {
        let rows = bars.enumerated().map { index, bar -> Markup in
            // The stopped bar sits a little apart from the funnel.
            let y = Double(index) * Self.rowHeight + (index == bars.count - 1 ? 10 : 0)
            return """
                <g><title>\(bar.label): \(bar.value)</title>\
                <text x="\(Self.labelWidth - 8)" y="\(y + 18)" text-anchor="end">\(bar.label)</text>\
                <rect x="\(Self.labelWidth)" y="\(y + 4)" width="\(bar.width)" height="20" fill="\(bar.colour)"/>\
                <text x="\(Self.labelWidth + bar.width + 6)" y="\(y + 18)">\(bar.value)</text></g>
                """
        }
        return ChartStyle.svg(
            width: Self.labelWidth + Self.barSpan + 50, height: Double(bars.count) * Self.rowHeight + 14,
            title: "Funnel: initiatives that reached each phase", "\(rows)")
    }
}
