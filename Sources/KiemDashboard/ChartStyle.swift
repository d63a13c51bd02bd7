import KiemCore

/// What the dashboard's SVG charts share: the phase colours, the scale from
/// a count to a length, and the `<svg>` element around a chart's content.
enum ChartStyle {
    /// The dashboard's blue, for bars and links.
    static let accent = "#01689b"
    /// Dark text.
    static let ink = "#1b1b1b"
    /// Secondary text and axes.
    static let muted = "#5c5c5c"

    /// The fill of a phase: lighter blues for the early phases, the darkest
    /// for scaling, grey for stopped.
    static func colour(of phase: Phase) -> String {
        switch phase {
        case .idea: "#b3d1e6"
        case .experiment: "#7fb2d8"
        case .pilot: "#3d8dc4"
        case .proven: "#01689b"
        case .scaling: "#154273"
        case .stopped: "#a8a8a8"
        }
    }

    /// Text that reads on a phase's fill.
    static func textColour(on phase: Phase) -> String {
        phase >= .pilot && phase != .stopped ? "#ffffff" : ink
    }

    /// The stroke of an adoption edge: the further taken up, the darker.
    static func colour(of status: AdoptionStatus) -> String {
        switch status {
        case .exploring: "#9fc3de"
        case .piloting: "#3d8dc4"
        case .adopted: "#154273"
        case .dropped: "#a8a8a8"
        }
    }

    /// The length of `value` on a scale where `maximum` takes `span`: 0 for
    /// 0, proportional in between, and 0 everywhere when `maximum` is 0.
    static func length(of value: Int, maximum: Int, span: Double) -> Double {
        guard maximum > 0 else { return 0 }
        return span * Double(max(0, min(value, maximum))) / Double(maximum)
    }

    /// An `<svg>` of `width` × `height` user units, shown that many pixels
    /// large and shrunk to fit a narrower container (the page's stylesheet),
    /// titled `title` for screen readers and as a tooltip.
    static func svg(width: Double, height: Double, title: String, _ content: Markup) -> Markup {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" \
        role="img" aria-label="\(title)" font-family="system-ui, sans-serif" font-size="12" fill="\(ink)">\
        <title>\(title)</title>\(content)</svg>
        """
    }

    /// `text` cut to `limit` characters, with an ellipsis when cut: chart
    /// labels have a fixed width.
    static func truncated(_ text: String, to limit: Int) -> String {
        text.count > limit ? text.prefix(limit - 1) + "…" : text
    }
}
