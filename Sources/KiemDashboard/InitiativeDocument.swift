import Foundation
package import KiemCore
package import KiemProtocol

/// `/api/initiatives/{id}`, and what the initiative page shows: every field
/// with the values written concurrently with the winning one, adopters,
/// endorsements, lineage both ways, the progress log and the history.
///
/// Made from the Control API's messages (``KiemCore/Initiative/proto`` and
/// ``KiemStore/HistoryEntry/proto(in:)``), so the dashboard and `kiemctl
/// initiative show` read the replica the same way. Stable camelCase JSON;
/// times ISO 8601 (UTC).
package struct InitiativeDocument: Codable, Hashable, Sendable {
    /// Who wrote a value, and when (the op's wall-clock time).
    struct Written: Codable, Hashable, Sendable {
        var author: String
        var time: Date

        init(_ provenance: Kiem_V1_Provenance) {
            author = provenance.author
            time = DisplayTime.date(HLCTimestamp(rawValue: provenance.hlc))
        }
    }

    /// A text field: the winning value and those written concurrently with
    /// it that no later write superseded.
    struct Text: Codable, Hashable, Sendable {
        struct Concurrent: Codable, Hashable, Sendable {
            var value: String
            var written: Written
        }

        var value: String
        var concurrent: [Concurrent]

        init(_ register: Kiem_V1_TextRegister) {
            value = register.value
            concurrent = register.concurrent.map { Concurrent(value: $0.value, written: Written($0.written)) }
        }
    }

    /// The phase, with concurrent phases.
    struct PhaseState: Codable, Hashable, Sendable {
        struct Concurrent: Codable, Hashable, Sendable {
            var phase: String
            var lessonsLearned: String?
            var written: Written
        }

        var phase: String
        var lessonsLearned: String?
        var concurrent: [Concurrent]

        init(_ register: Kiem_V1_PhaseRegister) {
            phase = register.phase.name
            lessonsLearned = register.lessonsLearned.isEmpty ? nil : register.lessonsLearned
            concurrent = register.concurrent.map {
                Concurrent(phase: $0.phase.name,
                           lessonsLearned: $0.lessonsLearned.isEmpty ? nil : $0.lessonsLearned, written: Written($0.written))
            }
        }
    }

    struct Link: Codable, Hashable, Sendable {
        var url: String
        var title: String
    }

    /// Another initiative in its lineage; title, owner and phase are absent
    /// when this node does not hold it.
    struct Related: Codable, Hashable, Sendable {
        var id: String
        var title: String?
        var owner: String?
        var phase: String?

        init(id: String, entry: PortfolioEntry?) {
            self.id = id
            title = entry?.title
            owner = entry?.owner.rawValue
            phase = entry?.phase.description
        }
    }

    struct Adoption: Codable, Hashable, Sendable {
        var organisation: String
        /// `exploring`, `piloting`, `adopted` or `dropped`.
        var status: String
        var note: String
        var written: Written
    }

    struct Endorsement: Codable, Hashable, Sendable {
        var organisation: String
        /// False once withdrawn.
        var endorsed: Bool
        var note: String
        var written: Written
    }

    /// An organisation's annotation: its portfolio label and priority.
    struct Annotation: Codable, Hashable, Sendable {
        var organisation: String
        /// Absent when the annotation has no label.
        var label: String?
        /// `low`, `normal` or `high`.
        var priority: String
        var note: String
        var written: Written
    }

    struct Metric: Codable, Hashable, Sendable {
        var name: String
        var value: Double
        var unit: String
    }

    struct Progress: Codable, Hashable, Sendable {
        /// `YYYY-MM-DD`, as reported.
        var date: String
        var text: String
        var metrics: [Metric]
        var written: Written
    }

    /// One op received for the initiative, oldest first.
    struct Change: Codable, Hashable, Sendable {
        var written: Written
        /// `create`, `edit`, `phase`, `themes`, `links`, `progress`,
        /// `adoption`, `endorsement` or `archive`.
        var kind: String
        /// E.g. `phase: proven`; held and rejected ops say so.
        var description: String
        /// Whether a later write replaced the value it wrote.
        var superseded: Bool
    }

    var id: String
    var owner: String
    var title: Text
    var summary: Text
    var description: Text
    var contact: Text
    var funding: Text
    var phase: PhaseState
    var archived: Bool
    var themes: [String]
    var links: [Link]
    var created: Written
    var updated: Date
    var derivedFrom: Related?
    /// The initiatives derived from this one, oldest first.
    var children: [Related]
    var adoptions: [Adoption]
    var endorsements: [Endorsement]
    var annotations: [Annotation]
    var progress: [Progress]
    var history: [Change]

    /// - Parameters:
    ///   - parent: the portfolio entry of the initiative it derives from, if
    ///     this node holds it.
    ///   - children: the entries derived from it.
    package init(_ initiative: Kiem_V1_Initiative, history: [Kiem_V1_HistoryEntry], parent: PortfolioEntry?,
         children: [PortfolioEntry]) {
        id = initiative.id
        owner = initiative.owner
        title = Text(initiative.title)
        summary = Text(initiative.summary)
        description = Text(initiative.description_p)
        contact = Text(initiative.contact)
        funding = Text(initiative.funding)
        phase = PhaseState(initiative.phase)
        archived = initiative.archived
        themes = initiative.themes
        links = initiative.links.map { Link(url: $0.url, title: $0.title) }
        created = Written(initiative.created)
        updated = DisplayTime.date(HLCTimestamp(rawValue: initiative.updatedHlc))
        derivedFrom = initiative.derivedFrom.isEmpty ? nil : Related(id: initiative.derivedFrom, entry: parent)
        self.children = children.sorted { $0.id < $1.id }.map { Related(id: $0.id.description, entry: $0) }
        adoptions = initiative.adoptions.map {
            Adoption(organisation: $0.organisation, status: $0.status.name, note: $0.note, written: Written($0.written))
        }
        endorsements = initiative.endorsements.map {
            Endorsement(organisation: $0.organisation, endorsed: $0.endorsed, note: $0.note, written: Written($0.written))
        }
        annotations = initiative.annotations.map {
            Annotation(organisation: $0.organisation, label: $0.label.isEmpty ? nil : $0.label, priority: $0.priority.name,
                       note: $0.note, written: Written($0.written))
        }
        progress = initiative.progress.map { entry in
            Progress(date: entry.date, text: entry.text,
                     metrics: entry.metrics.map { Metric(name: $0.name, value: $0.value, unit: $0.unit) },
                     written: Written(entry.written))
        }
        self.history = history.map {
            Change(written: Written($0.written), kind: $0.kind.name ?? "unspecified", description: $0.description_p,
                   superseded: $0.superseded)
        }
    }
}
