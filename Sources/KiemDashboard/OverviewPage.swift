import KiemCore

/// `/`: the portfolio at a glance. The filter form, headline numbers, the
/// four charts, and the tables behind them: organisations, the portfolio
/// labels and high-priority marks of annotations, adoption spread, stalled
/// and stopped work, recent changes and per-agency sync health.
struct OverviewPage {
    let overview: Overview
    let query: OverviewQuery
    let peers: [PeerHealth]
    let node: String

    var html: Markup {
        PageLayout.page(title: "Portfolio overview", node: node, """
            <h1>Portfolio overview</h1>
            \(filterForm)
            \(headline)
            <div class="charts">
            <figure><figcaption>Funnel: how far initiatives got</figcaption>\(FunnelChart(overview.funnel).svg)</figure>
            <figure><figcaption>Activity: initiatives changed per week</figcaption>\(ActivityChart(overview.activity).svg)</figure>
            <figure><figcaption>Initiatives by theme and phase</figcaption>\(PhaseThemeHeatMap(overview.themes).svg)</figure>
            <figure class="wide"><figcaption>Lineage and adoption</figcaption>\
            \(AdoptionLineageGraph(lineage: overview.lineage, adopted: overview.adopted).svg)</figure>
            </div>
            \(tables)
            <p class="note">Export: <a href="/export/initiatives.csv\(query.queryString)">initiatives.csv</a> · \
            JSON: <a href="/api/overview\(query.queryString)">/api/overview</a></p>
            """)
    }

    private var filterForm: Markup {
        let filter = overview.filter
        return """
            <form class="filters" action="/" method="get">\
            <label>Theme<input name="theme" value="\(filter.themes.sorted().joined(separator: ","))" \
            placeholder="any"></label>\
            <label>Organisation<input name="org" value="\(filter.owners.map(\.rawValue).sorted().joined(separator: ","))" \
            placeholder="any"></label>\
            <label>Label<input name="label" value="\(filter.labels.sorted().joined(separator: ","))" \
            placeholder="any"></label>\
            <label>Changed since<input name="since" type="date" value="\(query.since ?? "")"></label>\
            <label>Stalled after (days)<input name="stalled" type="number" min="0" \
            max="\(OverviewQuery.maximumStalledDays)" value="\(overview.stalledAfterDays)"></label>\
            <button type="submit">Apply</button> <a href="/">Clear</a></form>
            """
    }

    private var headline: Markup {
        let numbers: [(String, Int)] = [
            ("initiatives", overview.total),
            ("in pilot or further", overview.funnel.stages.first { $0.phase == .pilot }?.reached ?? 0),
            ("proven or scaling", overview.byPhase[.proven] + overview.byPhase[.scaling]),
            ("taken up by 2+ others", overview.adoptionSpread.count),
            ("stalled \(overview.stalledAfterDays)+ days", overview.stalled.count),
            ("stopped", overview.byPhase[.stopped]),
        ]
        let items = numbers.map { label, value -> Markup in "<li><strong>\(value)</strong>\(label)</li>" }
        return "<ul class=\"numbers\">\(items)</ul>"
    }

    /// The most rows a table of initiatives shows; the CSV export has them all.
    static let rowLimit = 100

    private var tables: Markup {
        let phases = Phase.allCases
        let organisations = PageLayout.table(
            ["Organisation"] + phases.map(\.description) + ["total", "adopting", "endorsing"],
            rows: overview.organisations.map { row in
                ["\(row.organisation.rawValue)"] + phases.map { "\(row.owned[$0])" }
                    + ["\(row.owned.total)", "\(row.adopting)", "\(row.endorsing)"]
            },
            empty: "No organisation owns a covered initiative.", numeric: Set(1...(phases.count + 3)))
        let labels = PageLayout.table(
            ["Label", "By"] + phases.map(\.description) + ["total", "high priority"],
            rows: overview.labels.map { row in
                [
                    "<a href=\"/?label=\(OverviewQuery.percentEncoded(row.label))\">\(row.label)</a>",
                    "\(row.organisation.rawValue)",
                ] + phases.map { "\(row.byPhase[$0])" } + ["\(row.byPhase.total)", "\(row.highPriority)"]
            },
            empty: "No initiative is filed under a portfolio label (kiemctl initiative annotate).",
            numeric: Set(2...(phases.count + 3)))
        let prioritised = PageLayout.table(
            ["Initiative", "Owner", "Phase", "Marked by", "Label", "Days still", "Note"],
            rows: overview.prioritised.prefix(Self.rowLimit).map { mark in
                [
                    link(mark.entry), "\(mark.entry.owner.rawValue)", PageLayout.phaseBadge(mark.entry.phase.description),
                    "\(mark.organisation.rawValue)", "\(mark.annotation.label)", "\(mark.daysSinceMovement)",
                    "\(mark.annotation.note)",
                ]
            },
            empty: "No initiative is marked high priority.", numeric: [5])
        let spread = PageLayout.table(
            ["Initiative", "Owner", "Phase", "Taken up by", "Piloting or adopted"],
            rows: overview.adoptionSpread.prefix(Self.rowLimit).map { adopted in
                [
                    link(adopted.entry), "\(adopted.entry.owner.rawValue)", PageLayout.phaseBadge(adopted.entry.phase.description),
                    "\(adopted.adopters.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) (\($0.value))" }.joined(separator: ", "))",
                    "\(adopted.takenUp)",
                ]
            },
            empty: "No initiative is piloted or adopted by two or more other organisations yet.", numeric: [4])
        let stalled = PageLayout.table(
            ["Initiative", "Owner", "Phase", "Last movement", "Days still"],
            rows: overview.stalled.prefix(Self.rowLimit).map { item in
                [
                    link(item.entry), "\(item.entry.owner.rawValue)", PageLayout.phaseBadge(item.entry.phase.description),
                    "\(DisplayTime.day(DisplayTime.date(item.entry.lastMovement)))", "\(item.daysSinceMovement)",
                ]
            },
            empty: "Nothing has stood still for more than \(overview.stalledAfterDays) days.", numeric: [4])
        let stopped = PageLayout.table(
            ["Initiative", "Owner", "Stopped", "Lessons learned"],
            rows: overview.stopped.prefix(Self.rowLimit).map { entry in
                [
                    link(entry), "\(entry.owner.rawValue)", "\(DisplayTime.day(DisplayTime.date(entry.lastPhaseChange)))",
                    "\(entry.lessonsLearned ?? "")",
                ]
            },
            empty: "No initiative was stopped.")
        let recent = PageLayout.table(
            ["Initiative", "Owner", "Phase", "Changed"],
            rows: overview.recent.map { entry in
                [
                    link(entry), "\(entry.owner.rawValue)", PageLayout.phaseBadge(entry.phase.description),
                    "\(DisplayTime.minute(DisplayTime.date(entry.lastChanged)))",
                ]
            },
            empty: "No changes.")
        let health = PageLayout.table(
            ["Node", "Organisation", "State", "Last seen", "Last synced", "Lag (ops)"],
            rows: peers.map { peer in
                [
                    "\(peer.node)", "\(peer.organisation)",
                    peer.lastError.map { "\(peer.state) <span class=\"note\" title=\"\($0)\">(\(ChartStyle.truncated($0, to: 60)))</span>" }
                        ?? "\(peer.state)",
                    "\(peer.lastSeen.map(DisplayTime.minute) ?? "never")",
                    "\(peer.lastSynced.map(DisplayTime.minute) ?? "never")", "\(Int(clamping: peer.lagOps))",
                ]
            },
            empty: "This node has no peers.", numeric: [5])
        return """
            <h2>By organisation</h2>\(organisations)
            <h2>Portfolio labels</h2>\(labels)
            <h2>High priority</h2>\(prioritised)\(more(overview.prioritised.count))
            <h2>Adoption spread</h2>\(spread)\(more(overview.adoptionSpread.count))
            <h2>Stalled work</h2>\(stalled)\(more(overview.stalled.count))
            <h2>Stopped, with lessons learned</h2>\(stopped)\(more(overview.stopped.count))
            <h2>Recent changes</h2>\(recent)
            <h2>Sync health per agency</h2>\(health)
            """
    }

    /// A note under a table cut at ``rowLimit`` rows of `total`.
    private func more(_ total: Int) -> Markup {
        guard total > Self.rowLimit else { return "" }
        return """
            <p class="note">The first \(Self.rowLimit) of \(total); \
            <a href="/export/initiatives.csv\(query.queryString)">initiatives.csv</a> lists every initiative.</p>
            """
    }

    private func link(_ entry: PortfolioEntry) -> Markup {
        PageLayout.initiativeLink(id: entry.id.description, title: entry.title)
    }
}
