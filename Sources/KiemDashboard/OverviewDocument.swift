import Foundation
import KiemCore

/// `/api/overview`: the overview the dashboard shows, as stable camelCase
/// JSON. Times are ISO 8601 (UTC); phases and adoption statuses their
/// lowercase names; lists keep the overview's deterministic order.
struct OverviewDocument: Codable, Hashable, Sendable {
    /// Initiatives per phase.
    struct PhaseNumbers: Codable, Hashable, Sendable {
        var idea, experiment, pilot, proven, scaling, stopped: Int

        init(_ counts: PhaseCounts) {
            (idea, experiment, pilot, proven, scaling, stopped) = (
                counts[.idea], counts[.experiment], counts[.pilot], counts[.proven], counts[.scaling], counts[.stopped])
        }
    }

    /// An initiative as the lists name it.
    struct InitiativeReference: Codable, Hashable, Sendable {
        var id: String
        var title: String
        var owner: String
        var phase: String
        var themes: [String]
        var lastMovement: Date
        var lastChanged: Date

        init(_ entry: PortfolioEntry) {
            id = entry.id.description
            title = entry.title
            owner = entry.owner.rawValue
            phase = entry.phase.description
            themes = entry.themes
            lastMovement = DisplayTime.date(entry.lastMovement)
            lastChanged = DisplayTime.date(entry.lastChanged)
        }
    }

    struct Filter: Codable, Hashable, Sendable {
        var themes: [String]
        var organisations: [String]
        var labels: [String]
        /// The first day covered, `YYYY-MM-DD`.
        var since: String?
        var stalledAfterDays: Int
    }

    struct FunnelStage: Codable, Hashable, Sendable {
        var phase: String
        var reached: Int
    }

    struct Funnel: Codable, Hashable, Sendable {
        var stages: [FunnelStage]
        var stopped: Int
    }

    struct Theme: Codable, Hashable, Sendable {
        var theme: String
        var byPhase: PhaseNumbers
    }

    struct Organisation: Codable, Hashable, Sendable {
        var organisation: String
        var owned: PhaseNumbers
        var adopting: Int
        var endorsing: Int
    }

    struct Adopter: Codable, Hashable, Sendable {
        var organisation: String
        var status: String
    }

    struct Adoption: Codable, Hashable, Sendable {
        var initiative: InitiativeReference
        /// By organisation name.
        var adopters: [Adopter]
        /// The adopters piloting it or that adopted it.
        var takenUp: Int
    }

    struct LineageNode: Codable, Hashable, Sendable {
        var initiative: InitiativeReference
        var depth: Int
    }

    struct Lineage: Codable, Hashable, Sendable {
        /// Pre-order: the root first.
        var nodes: [LineageNode]
        var parentMissing: Bool
    }

    struct Stalled: Codable, Hashable, Sendable {
        var initiative: InitiativeReference
        var daysSinceMovement: Int
    }

    struct Stopped: Codable, Hashable, Sendable {
        var initiative: InitiativeReference
        var lessonsLearned: String?
    }

    /// One organisation's portfolio label.
    struct Label: Codable, Hashable, Sendable {
        var organisation: String
        var label: String
        var byPhase: PhaseNumbers
        var highPriority: Int
    }

    /// An initiative an organisation marked high priority.
    struct Prioritised: Codable, Hashable, Sendable {
        var initiative: InitiativeReference
        var markedBy: String
        /// Absent when the annotation has no label.
        var label: String?
        var note: String
        var daysSinceMovement: Int
    }

    struct Week: Codable, Hashable, Sendable {
        /// ISO week, e.g. `2026-W09`.
        var week: String
        var start: Date
        var initiatives: Int
    }

    var computedAt: Date
    var node: String
    var filter: Filter
    var total: Int
    var byPhase: PhaseNumbers
    var funnel: Funnel
    var themes: [Theme]
    var organisations: [Organisation]
    /// Piloted or adopted by two or more organisations other than the owner.
    var adoptionSpread: [Adoption]
    /// Every initiative with an active adoption by another organisation.
    var adopted: [Adoption]
    var lineage: [Lineage]
    var stalled: [Stalled]
    var stopped: [Stopped]
    var recent: [InitiativeReference]
    var activity: [Week]
    var syncHealth: [PeerHealth]
    /// Portfolio labels from annotations, by organisation then label.
    var labels: [Label]
    /// Marked high priority, by organisation, oldest movement first.
    var prioritised: [Prioritised]

    init(_ overview: Overview, query: OverviewQuery, node: String, peers: [PeerHealth]) {
        func adoption(_ initiative: AdoptedInitiative) -> Adoption {
            Adoption(
                initiative: InitiativeReference(initiative.entry),
                adopters: initiative.adopters.sorted { $0.key < $1.key }.map {
                    Adopter(organisation: $0.key.rawValue, status: $0.value.description)
                },
                takenUp: initiative.takenUp)
        }
        computedAt = DisplayTime.date(millis: overview.now)
        self.node = node
        filter = Filter(
            themes: overview.filter.themes.sorted(), organisations: overview.filter.owners.map(\.rawValue).sorted(),
            labels: overview.filter.labels.sorted(), since: query.since, stalledAfterDays: overview.stalledAfterDays)
        total = overview.total
        byPhase = PhaseNumbers(overview.byPhase)
        funnel = Funnel(
            stages: overview.funnel.stages.map { FunnelStage(phase: $0.phase.description, reached: $0.reached) },
            stopped: overview.funnel.stopped)
        themes = overview.themes.map { Theme(theme: $0.theme, byPhase: PhaseNumbers($0.byPhase)) }
        organisations = overview.organisations.map {
            Organisation(organisation: $0.organisation.rawValue, owned: PhaseNumbers($0.owned), adopting: $0.adopting,
                         endorsing: $0.endorsing)
        }
        adoptionSpread = overview.adoptionSpread.map(adoption)
        adopted = overview.adopted.map(adoption)
        lineage = overview.lineage.map { tree in
            Lineage(nodes: tree.nodes.map { LineageNode(initiative: InitiativeReference($0.entry), depth: $0.depth) },
                    parentMissing: tree.parentMissing)
        }
        stalled = overview.stalled.map { Stalled(initiative: InitiativeReference($0.entry), daysSinceMovement: $0.daysSinceMovement) }
        stopped = overview.stopped.map { Stopped(initiative: InitiativeReference($0), lessonsLearned: $0.lessonsLearned) }
        recent = overview.recent.map(InitiativeReference.init)
        activity = overview.activity.map {
            Week(week: $0.label, start: DisplayTime.date(millis: $0.start), initiatives: $0.initiatives)
        }
        syncHealth = peers
        labels = overview.labels.map {
            Label(organisation: $0.organisation.rawValue, label: $0.label, byPhase: PhaseNumbers($0.byPhase),
                  highPriority: $0.highPriority)
        }
        prioritised = overview.prioritised.map {
            Prioritised(initiative: InitiativeReference($0.entry), markedBy: $0.organisation.rawValue,
                        label: $0.annotation.label.isEmpty ? nil : $0.annotation.label, note: $0.annotation.note,
                        daysSinceMovement: $0.daysSinceMovement)
        }
    }
}
