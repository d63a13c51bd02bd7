import Foundation
import KiemCore
import KiemProtocol

/// What `kiemctl overview` prints: the figures of `OverviewResponse`.
struct OverviewReport: CommandOutput, Equatable {
    /// Counts per phase name, every phase present.
    typealias PhaseCounts = [String: UInt64]

    struct Row: Encodable, Equatable {
        /// The theme or organisation.
        var name: String
        var total: UInt64
        var byPhase: PhaseCounts
        /// Organisations only: other organisations' initiatives it adopted, endorsements it gave.
        var adopting: UInt64?
        var endorsements: UInt64?
    }

    struct Item: Encodable, Equatable {
        var id: String
        var title: String
        var owner: String
        var phase: String
        var adoptedBy: [String]
        /// Stalled: whole days since it last moved.
        var daysSinceMovement: UInt32?
        /// Stopped: what was learned.
        var lessonsLearned: String?
        /// Adoption: organisations per status.
        var exploring: UInt32?
        var piloting: UInt32?
        var adopted: UInt32?
        /// Lineage: the depth in its tree (0 = root).
        var depth: UInt32?
        /// High priority: the organisation that marked it, its label and note.
        var markedBy: String?
        var label: String?
        var note: String?
    }

    /// One organisation's portfolio label.
    struct Label: Encodable, Equatable {
        var organisation: String
        var label: String
        var total: UInt64
        var byPhase: PhaseCounts
        var highPriority: UInt64
    }

    struct Stage: Encodable, Equatable {
        var phase: String
        var reached: UInt64
    }

    struct Week: Encodable, Equatable {
        var week: String
        var initiatives: UInt64
    }

    struct Health: Encodable, Equatable {
        var node: String
        var organisation: String
        var state: String
        var lastSeen: Date?
        var lagOps: UInt64
    }

    var total: UInt64
    var stalledAfterDays: UInt32
    var byPhase: PhaseCounts
    var funnel: [Stage]
    var funnelStopped: UInt64
    var themes: [Row]
    var organisations: [Row]
    /// Piloted or adopted by two or more other organisations.
    var adoptionSpread: [Item]
    var stalled: [Item]
    var stopped: [Item]
    /// Trees through derived-from, each root first.
    var lineage: [[Item]]
    var recent: [Item]
    var activity: [Week]
    var syncHealth: [Health]
    var labels: [Label]
    /// Marked high priority in an annotation, oldest movement first.
    var prioritised: [Item]
    /// How many items each list has in all; the lists above hold the first
    /// `--limit` of them.
    var totals: Totals

    struct Totals: Encodable, Equatable {
        var adoptionSpread: UInt64
        var adopted: UInt64
        var stalled: UInt64
        var stopped: UInt64
        var lineage: UInt64
        var prioritised: UInt64
    }

    init(_ response: Kiem_V1_OverviewResponse) {
        total = response.total
        stalledAfterDays = response.stalledAfterDays
        byPhase = Self.counts(response.byPhase)
        funnel = response.funnel.map { Stage(phase: $0.phase.name, reached: $0.reached) }
        funnelStopped = response.funnelStopped
        themes = response.byTheme.map { Row(name: $0.theme, total: $0.initiatives, byPhase: Self.counts($0.byPhase)) }
        organisations = response.byOrganisation.map {
            Row(name: $0.organisation, total: $0.owned, byPhase: Self.counts($0.byPhase), adopting: $0.adopting,
                endorsements: $0.endorsementsGiven)
        }
        adoptionSpread = response.adoption.map { spread in
            var item = Item(spread.initiative)
            (item.exploring, item.piloting, item.adopted) = (spread.exploring, spread.piloting, spread.adopted)
            return item
        }
        stalled = response.stalled.map { stalled in
            var item = Item(stalled.initiative)
            item.daysSinceMovement = stalled.daysSinceMovement
            return item
        }
        stopped = response.stopped.map { stopped in
            var item = Item(stopped.initiative)
            item.lessonsLearned = stopped.lessonsLearned
            return item
        }
        lineage = response.lineage.map { tree in
            tree.nodes.map { node in
                var item = Item(node.initiative)
                item.depth = node.depth
                return item
            }
        }
        recent = response.recent.map(Item.init)
        activity = response.activity.map { Week(week: $0.label, initiatives: $0.initiatives) }
        labels = response.labels.map {
            Label(organisation: $0.organisation, label: $0.label, total: $0.initiatives, byPhase: Self.counts($0.byPhase),
                  highPriority: $0.highPriority)
        }
        prioritised = response.prioritised.map { mark in
            var item = Item(mark.initiative)
            item.markedBy = mark.organisation
            item.label = mark.label
            item.note = mark.note
            item.daysSinceMovement = mark.daysSinceMovement
            return item
        }
        totals = Totals(
            adoptionSpread: response.adoptionTotal, adopted: response.adoptedTotal, stalled: response.stalledTotal,
            stopped: response.stoppedTotal, lineage: response.lineageTotal, prioritised: response.prioritisedTotal)
        syncHealth = response.syncHealth.map {
            Health(node: $0.nodeID, organisation: $0.organisation, state: $0.state.name,
                   lastSeen: $0.lastSyncedMillis == 0 ? nil : Display.date(millis: $0.lastSyncedMillis), lagOps: $0.lagOps)
        }
    }

    private static func counts(_ counts: [Kiem_V1_PhaseCount]) -> PhaseCounts {
        var result = Dictionary(uniqueKeysWithValues: Phase.allCases.map { ($0.description, UInt64(0)) })
        for count in counts { result[count.phase.name] = count.count }
        return result
    }

    private static let phases = Phase.allCases.map(\.description)

    private static func phaseTable(
        _ title: String, _ rows: [(String, UInt64, PhaseCounts)], extra: (title: String, values: [String])? = nil
    ) -> Table {
        let columns = [Table.Column(title)] + phases.map { Table.Column($0, alignment: .right) }
            + [Table.Column("total", alignment: .right)] + (extra.map { [Table.Column($0.title, alignment: .right)] } ?? [])
        return Table(columns, rows: rows.enumerated().map { index, row in
            let (name, total, counts) = row
            return [name] + phases.map { "\(counts[$0] ?? 0)" } + ["\(total)"] + (extra.map { [$0.values[index]] } ?? [])
        })
    }

    var text: String {
        var sections: [String] = []
        sections.append(Self.phaseTable("PORTFOLIO", [("all", total, byPhase)]).rendered)
        let stages = funnel.map { "\($0.phase) \($0.reached)" }.joined(separator: " → ")
        sections.append("funnel  \(stages)  (stopped \(funnelStopped))")
        if !themes.isEmpty { sections.append(Self.phaseTable("THEME", themes.map { ($0.name, $0.total, $0.byPhase) }).rendered) }
        if !organisations.isEmpty {
            sections.append(Table(["ORGANISATION", Table.Column("OWNED", alignment: .right), Table.Column("ADOPTING", alignment: .right),
                                   Table.Column("ENDORSING", alignment: .right)],
                                  rows: organisations.map { [$0.name, "\($0.total)", "\($0.adopting ?? 0)", "\($0.endorsements ?? 0)"] })
                .rendered)
        }
        if !labels.isEmpty {
            sections.append(Self.phaseTable("LABEL", labels.map { ("\($0.organisation)/\($0.label)", $0.total, $0.byPhase) },
                                            extra: ("high", labels.map { "\($0.highPriority)" })).rendered)
        }
        if !prioritised.isEmpty {
            sections.append(Self.title("high priority", prioritised, of: totals.prioritised) + "\n" + Table(
                ["ID", "TITLE", "OWNER", "PHASE", "MARKED BY", "LABEL", Table.Column("DAYS STILL", alignment: .right), "NOTE"],
                rows: prioritised.map {
                    [$0.id, $0.title, $0.owner, $0.phase, $0.markedBy ?? "", $0.label.flatMap { $0.isEmpty ? nil : $0 } ?? "-",
                     "\($0.daysSinceMovement ?? 0)", $0.note ?? ""]
                }).rendered)
        }
        sections.append(Self.section("adoption spread (piloted or adopted by 2+ other organisations)", adoptionSpread, of: totals.adoptionSpread,
                                     Table(["ID", "TITLE", "OWNER", "PILOTING", "ADOPTED"],
                                           rows: adoptionSpread.map { [$0.id, $0.title, $0.owner, "\($0.piloting ?? 0)", "\($0.adopted ?? 0)"] })))
        sections.append(Self.section("stalled (no movement in \(stalledAfterDays) days)", stalled, of: totals.stalled,
                                     Table(["ID", "TITLE", "OWNER", "PHASE", Table.Column("DAYS", alignment: .right)],
                                           rows: stalled.map { [$0.id, $0.title, $0.owner, $0.phase, "\($0.daysSinceMovement ?? 0)"] })))
        sections.append(Self.section("stopped, with lessons learned", stopped, of: totals.stopped,
                                     Table(["ID", "TITLE", "OWNER", "LESSONS LEARNED"],
                                           rows: stopped.map { [$0.id, $0.title, $0.owner, $0.lessonsLearned ?? ""] })))
        sections.append(Self.section("lineage", lineage, of: totals.lineage,
                                     Table(["TREE", "OWNER", "PHASE"], rows: lineage.flatMap { tree in
                                         tree.map { [String(repeating: "  ", count: Int($0.depth ?? 0)) + $0.title, $0.owner, $0.phase] }
                                     })))
        sections.append(Self.section("recent changes", recent,
                                     Table(["ID", "TITLE", "OWNER", "PHASE"], rows: recent.map { [$0.id, $0.title, $0.owner, $0.phase] })))
        sections.append("activity (initiatives changed per week)  "
            + activity.map { "\($0.week) \($0.initiatives)" }.joined(separator: "  "))
        sections.append(Self.section("sync health", syncHealth,
                                     Table(["NODE", "ORGANISATION", "STATE", "LAST SEEN", Table.Column("LAG", alignment: .right)],
                                           rows: syncHealth.map { [$0.node, $0.organisation, $0.state, Display.cell($0.lastSeen), "\($0.lagOps)"] })))
        return sections.joined(separator: "\n\n")
    }

    private static func section(_ title: String, _ items: [some Any], of total: UInt64? = nil, _ table: Table) -> String {
        items.isEmpty ? "\(title): none" : Self.title(title, items, of: total) + "\n" + table.rendered
    }

    /// A section's title, saying how many of how many it lists when the
    /// node sent only the first `--limit`.
    private static func title(_ title: String, _ items: [some Any], of total: UInt64?) -> String {
        guard let total, total > UInt64(items.count) else { return title }
        return "\(title): the first \(items.count) of \(total) (--limit)"
    }

    /// The phase counts as CSV (RFC 4180): a header, then one row for the
    /// whole portfolio, one per theme, one per organisation and one per
    /// portfolio label (named `organisation/label`).
    var csv: String {
        func line(_ section: String, _ name: String, _ counts: PhaseCounts, _ total: UInt64) -> [String] {
            [section, name] + Self.phases.map { phase in "\(counts[phase] ?? 0)" } + ["\(total)"]
        }
        let header = ["section", "name"] + Self.phases + ["total"]
        let rows = [line("portfolio", "all", byPhase, total)]
            + themes.map { line("theme", $0.name, $0.byPhase, $0.total) }
            + organisations.map { line("organisation", $0.name, $0.byPhase, $0.total) }
            + labels.map { line("label", "\($0.organisation)/\($0.label)", $0.byPhase, $0.total) }
        return ([header] + rows).map { $0.map(CSVField.encode).joined(separator: ",") }.joined(separator: "\r\n")
    }
}

extension OverviewReport.Item {
    init(_ summary: Kiem_V1_InitiativeSummary) {
        self.init(id: summary.id, title: summary.title, owner: summary.owner, phase: summary.phase.name, adoptedBy: summary.adoptedBy)
    }
}
