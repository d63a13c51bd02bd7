import Foundation
import KiemCore
@testable import KiemDashboard
@testable import KiemNode
import Testing

/// The dashboard's SVG charts and the markup they are written in, as values:
/// no server, no store.
@Suite("dashboard charts")
struct DashboardChartTests {
    static let now: UInt64 = 1_772_582_400_000 // Wednesday 2026-03-04 00:00 UTC
    static let day: UInt64 = 86_400_000
    static let hostile = #"<script>alert("x")</script> & 'co'"#

    /// An entry created `daysAgo` days before ``now`` that has not moved since.
    static func entry(
        _ number: UInt64, _ owner: String, _ phase: Phase, title: String? = nil, themes: [String] = [],
        adoptions: [String: AdoptionStatus] = [:], derivedFrom: InitiativeID? = nil, daysAgo: UInt64 = 1
    ) -> PortfolioEntry {
        let created = HLCTimestamp(wallMillis: now - daysAgo * day, logical: 0)
        return PortfolioEntry(
            id: id(number), owner: try! OrganisationID(owner), title: title ?? "Initiatief \(number)", phase: phase,
            themes: themes, adoptions: Dictionary(uniqueKeysWithValues: adoptions.map { (try! OrganisationID($0.key), $0.value) }),
            derivedFrom: derivedFrom, createdAt: created, lastPhaseChange: created, lastChanged: created)
    }

    static func id(_ number: UInt64) -> InitiativeID {
        InitiativeID(timestamp: HLCTimestamp(wallMillis: 1_700_000_000_000 + number, logical: 0), nodeHash: number)
    }

    @Test("markup escapes every interpolated string, once, and keeps its own tags")
    func markup() {
        let cell: Markup = "<td title=\"\(Self.hostile)\">\(Self.hostile)</td>"
        #expect(cell.text == "<td title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;\">"
            + "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</td>")
        let row: Markup = "<tr>\(cell)\([cell, cell])</tr>"
        #expect(row.text.components(separatedBy: "&amp;lt;").count == 1, "escaped twice: \(row)")
        #expect(row.text.hasPrefix("<tr><td title="))
        #expect(("\(12.25) \(3.0) \(-0.04) \(7)" as Markup).text == "12.3 3 0 7")
        #expect(Markup.coordinate(-2.5) == "-2.5")
        #expect(Markup.coordinate(-0.5) == "-0.5")
    }

    @Test("the scale is proportional, clamped, and all zero for an empty chart")
    func scale() {
        #expect(ChartStyle.length(of: 2, maximum: 4, span: 380) == 190)
        #expect(ChartStyle.length(of: 9, maximum: 4, span: 380) == 380)
        #expect(ChartStyle.length(of: 0, maximum: 0, span: 380) == 0)
        #expect(ChartStyle.truncated("abcdef", to: 4) == "abc…")
        #expect(ChartStyle.truncated("abc", to: 4) == "abc")
    }

    @Test("funnel: one bar per stage as long as the initiatives that reached it; stopped apart")
    func funnel() {
        var counts = PhaseCounts()
        counts[.idea] = 2
        counts[.pilot] = 1
        counts[.scaling] = 1
        counts[.stopped] = 1
        let chart = FunnelChart(Funnel(counts))
        #expect(chart.bars.map(\.label) == ["idea", "experiment", "pilot", "proven", "scaling", "stopped"])
        #expect(chart.bars.map(\.value) == [4, 2, 2, 1, 1, 1])
        #expect(chart.bars.map(\.width) == [380, 190, 190, 95, 95, 95])
        #expect(chart.bars.last?.colour == ChartStyle.colour(of: .stopped))
        let svg = chart.svg.text
        #expect(svg.hasPrefix("<svg "))
        #expect(svg.contains(#"width="380" height="20""#))
        #expect(svg.contains("<title>pilot: 2</title>"))
        #expect(FunnelChart(Funnel(PhaseCounts())).bars.allSatisfy { $0.width == 0 })
    }

    @Test("activity: a bar per week, as high as the initiatives that changed in it, oldest first")
    func activity() {
        let entries = [
            Self.entry(1, "uwv", .idea, daysAgo: 0), Self.entry(2, "uwv", .idea, daysAgo: 1),
            Self.entry(3, "svb", .pilot, daysAgo: 7),
        ]
        let overview = Overview.compute(entries, now: Self.now)
        let chart = ActivityChart(overview.activity)
        #expect(chart.bars.count == 12)
        #expect(chart.bars.last?.week == "2026-W10")
        #expect(chart.bars.suffix(2).map(\.value) == [1, 2])
        #expect(chart.bars.suffix(2).map(\.height) == [60, 120])
        #expect(chart.bars.dropLast(2).allSatisfy { $0.height == 0 })
        let svg = chart.svg.text
        #expect(svg.contains(#"height="120""#))
        #expect(svg.contains("<title>2026-W10: 2 initiatives changed</title>"))
        #expect(svg.contains(">W10</text>"))
    }

    @Test("heat map: a row per theme, cells as dark as their share of the largest, names escaped")
    func heatMap() {
        let entries = [
            Self.entry(1, "uwv", .pilot, themes: ["ai"]), Self.entry(2, "svb", .pilot, themes: ["ai", Self.hostile]),
            Self.entry(3, "uwv", .idea, themes: ["ai"]),
        ]
        let chart = PhaseThemeHeatMap(Overview.compute(entries, now: Self.now).themes)
        #expect(chart.rows.map(\.theme) == ["ai", Self.hostile])
        #expect(chart.rows[0].cells.map(\.value) == [1, 0, 2, 0, 0, 0])
        #expect(chart.rows[0].cells.map(\.intensity) == [0.5, 0, 1, 0, 0, 0])
        #expect(chart.rows[1].cells.map(\.intensity) == [0, 0, 0.5, 0, 0, 0])
        #expect(chart.omitted == 0)
        let svg = chart.svg.text
        #expect(!svg.contains("<script"), "\(svg)")
        #expect(svg.contains("&lt;script&gt;"))
        #expect(svg.contains(#"fill-opacity="100%""#))
        #expect(svg.contains(#"fill-opacity="50%""#))

        let many = (1...20).map { Self.entry(UInt64($0), "uwv", .idea, themes: ["theme-\($0)"]) }
        let crowded = PhaseThemeHeatMap(Overview.compute(many, now: Self.now).themes)
        #expect(crowded.rows.count == PhaseThemeHeatMap.rowLimit)
        #expect(crowded.omitted == 5)
        #expect(crowded.svg.text.contains("and 5 more themes"))
        #expect(PhaseThemeHeatMap([]).svg.text.contains("No initiative has a theme."))
    }

    @Test("lineage and adoption graph: layers by depth in tree order, adopters in a last column, deterministic")
    func graph() throws {
        let root = Self.entry(1, "uwv", .proven, title: Self.hostile)
        let child = Self.entry(2, "svb", .pilot, derivedFrom: root.id)
        let grandchild = Self.entry(3, "rws", .idea, derivedFrom: child.id)
        let orphan = Self.entry(4, "rws", .idea, derivedFrom: Self.id(99))
        let adopted = Self.entry(5, "uwv", .scaling, title: "Een heel lange titel die niet in het vakje past",
                                 adoptions: ["svb": .piloting, "rws": .adopted, "uwv": .adopted])
        let overview = Overview.compute([root, child, grandchild, orphan, adopted], now: Self.now)
        let graph = AdoptionLineageGraph(lineage: overview.lineage, adopted: overview.adopted)

        let initiatives = graph.nodes.filter { if case .initiative = $0.subject { true } else { false } }
        #expect(initiatives.map(\.label) == [Self.hostile, child.title, grandchild.title, orphan.title, adopted.title])
        #expect(initiatives.map(\.x) == [12, 202, 392, 12, 12])
        #expect(initiatives.map(\.y) == [12, 42, 72, 102, 132])
        #expect(initiatives[3].subject == .initiative(orphan.id, .idea, parentMissing: true))
        let organisations = graph.nodes.filter { $0.subject == .organisation }
        #expect(organisations.map(\.label) == ["rws", "svb"], "the owner's own adoption is not drawn")
        #expect(organisations.map(\.x) == [642, 642], "the last column: the deepest plus one, and a gap")
        #expect(graph.edges.filter { $0.adoption == nil }.map { [$0.from, $0.to] } == [[0, 1], [1, 2]])
        #expect(graph.edges.compactMap(\.adoption) == [.adopted, .piloting])
        #expect(graph == AdoptionLineageGraph(lineage: overview.lineage, adopted: overview.adopted))

        let svg = graph.svg.text
        #expect(!svg.contains("<script"), "\(svg)")
        #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)"))
        #expect(svg.contains("<a href=\"/initiatives/\(root.id)\">"))
        #expect(svg.contains("Een heel lange titel die …"))
        #expect(svg.contains(#"stroke-dasharray="5 3""#))
        #expect(svg.contains("derived from an initiative not shown"))

        let empty = AdoptionLineageGraph(lineage: [], adopted: [])
        #expect(empty.nodes.isEmpty)
        #expect(empty.svg.text.contains("No initiative is derived from another or taken up elsewhere yet."))
    }

    @Test("the graph draws at most its limit of initiatives and says how many it left out")
    func graphLimit() {
        let entries = (1...45).map { Self.entry(UInt64($0), "uwv", .idea, adoptions: ["svb": .exploring]) }
        let overview = Overview.compute(entries, now: Self.now)
        let graph = AdoptionLineageGraph(lineage: overview.lineage, adopted: overview.adopted)
        #expect(graph.nodes.count == AdoptionLineageGraph.initiativeLimit + 1)
        #expect(graph.omitted == 5)
        #expect(graph.svg.text.contains("5 more initiatives not drawn"))
    }
}
