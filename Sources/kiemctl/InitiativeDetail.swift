import Foundation
import KiemProtocol

/// One initiative in full, as `initiative show` and every write print it:
/// fields with their concurrent values, adopters, endorsements, lineage and
/// the progress log.
struct InitiativeDetail: CommandOutput, Equatable {
    struct Link: Encodable, Equatable {
        var url: String
        var title: String
    }

    /// A value written concurrently with the shown one, which no later write
    /// superseded.
    struct ConcurrentValue: Encodable, Equatable {
        /// "title", "summary", "description", "contact", "funding" or "phase".
        var field: String
        var value: String
        var author: String
        var time: Date?
    }

    struct AdoptionEntry: Encodable, Equatable {
        var organisation: String
        /// "exploring", "piloting", "adopted" or "dropped".
        var status: String
        var note: String
        var time: Date?
    }

    struct EndorsementEntry: Encodable, Equatable {
        var organisation: String
        var endorsed: Bool
        var note: String
        var time: Date?
    }

    struct AnnotationEntry: Encodable, Equatable {
        var organisation: String
        /// Empty for none.
        var label: String
        /// "low", "normal" or "high".
        var priority: String
        var note: String
        var time: Date?
        /// How many other values the organisation's nodes wrote concurrently.
        var concurrent: Int
    }

    struct Metric: Encodable, Equatable {
        var name: String
        var value: Double
        var unit: String
    }

    struct ProgressEntry: Encodable, Equatable {
        /// YYYY-MM-DD.
        var date: String
        var text: String
        var metrics: [Metric]
        var author: String
    }

    /// An initiative in this one's lineage: the one it was started from, or
    /// one started from it.
    struct Lineage: Encodable, Equatable {
        var id: String
        /// Absent when this node does not hold it (yet).
        var title: String?
        var owner: String?
    }

    var id: String
    var owner: String
    var title: String
    var summary: String
    var description: String
    var contact: String
    var funding: String
    /// The phase name, e.g. "pilot".
    var phase: String
    var lessonsLearned: String?
    var archived: Bool
    var themes: [String]
    var links: [Link]
    var derivedFrom: Lineage?
    /// The initiatives started from this one that the node holds, newest first.
    var derivedInto: [Lineage]
    var created: Date?
    var updated: Date?
    var concurrent: [ConcurrentValue]
    var adoptions: [AdoptionEntry]
    var endorsements: [EndorsementEntry]
    var annotations: [AnnotationEntry]
    var progress: [ProgressEntry]

    /// - Parameters:
    ///   - parent: the initiative `initiative` derives from, if this node
    ///     holds it.
    ///   - derived: the initiatives derived from it.
    init(_ initiative: Kiem_V1_Initiative, parent: Kiem_V1_Initiative? = nil, derived: [Kiem_V1_InitiativeSummary] = []) {
        id = initiative.id
        owner = initiative.owner
        title = initiative.title.value
        summary = initiative.summary.value
        description = initiative.description_p.value
        contact = initiative.contact.value
        funding = initiative.funding.value
        phase = initiative.phase.phase.name
        lessonsLearned = initiative.phase.lessonsLearned.isEmpty ? nil : initiative.phase.lessonsLearned
        archived = initiative.archived
        themes = initiative.themes
        links = initiative.links.map { Link(url: $0.url, title: $0.title) }
        derivedFrom = initiative.derivedFrom.isEmpty ? nil : Lineage(
            id: initiative.derivedFrom, title: parent?.title.value, owner: parent?.owner)
        derivedInto = derived.map { Lineage(id: $0.id, title: $0.title, owner: $0.owner) }
        created = (Display.date(hlc: initiative.created.hlc))
        updated = (Display.date(hlc: initiative.updatedHlc))
        let registers = [
            ("title", initiative.title), ("summary", initiative.summary), ("description", initiative.description_p),
            ("contact", initiative.contact), ("funding", initiative.funding),
        ]
        concurrent = registers.flatMap { field, register in
            register.concurrent.map { ConcurrentValue(field: field, value: $0.value, written: $0.written) }
        } + initiative.phase.concurrent.map { ConcurrentValue(field: "phase", value: $0.phase.name, written: $0.written) }
        adoptions = initiative.adoptions.map {
            AdoptionEntry(organisation: $0.organisation, status: $0.status.name, note: $0.note,
                          time: (Display.date(hlc: $0.written.hlc)))
        }
        endorsements = initiative.endorsements.map {
            EndorsementEntry(organisation: $0.organisation, endorsed: $0.endorsed, note: $0.note,
                             time: (Display.date(hlc: $0.written.hlc)))
        }
        annotations = initiative.annotations.map {
            AnnotationEntry(organisation: $0.organisation, label: $0.label, priority: $0.priority.name, note: $0.note,
                            time: Display.date(hlc: $0.written.hlc), concurrent: Int($0.concurrentCount))
        }
        progress = initiative.progress.map { entry in
            ProgressEntry(date: entry.date, text: entry.text,
                          metrics: entry.metrics.map { Metric(name: $0.name, value: $0.value, unit: $0.unit) },
                          author: entry.written.author)
        }
    }

    var text: String {
        var fields = [("id", id), ("owner", owner), withConcurrent("title", title), withConcurrent("phase", phase)]
        for (label, value) in [("summary", summary), ("description", description), ("contact", contact), ("funding", funding)]
        where !value.isEmpty || concurrent.contains(where: { $0.field == label }) {
            fields.append(withConcurrent(label, value))
        }
        if let lessonsLearned { fields.append(("lessons learned", lessonsLearned)) }
        fields.append(("themes", Display.list(themes)))
        if !links.isEmpty {
            fields.append(("links", links.map { $0.title.isEmpty ? $0.url : "\($0.url) (\($0.title))" }.joined(separator: "\n")))
        }
        if let derivedFrom {
            let known = derivedFrom.title.map { " \"\($0)\" (\(derivedFrom.owner ?? "?"))" } ?? " (not on this node)"
            fields.append(("derived from", derivedFrom.id + known))
        }
        if !derivedInto.isEmpty {
            fields.append(("derived into", derivedInto.map { "\($0.id) \"\($0.title ?? "")\" (\($0.owner ?? "?"))" }
                .joined(separator: "\n")))
        }
        if archived { fields.append(("archived", "yes")) }
        fields.append(("created", Display.cell(created)))
        fields.append(("updated", Display.cell(updated)))
        var sections = [Table.fields(fields).rendered]
        if !adoptions.isEmpty {
            sections.append("adopted by\n" + Table(["ORGANISATION", "STATUS", "SINCE", "NOTE"], rows: adoptions.map {
                [$0.organisation, $0.status, Display.cell($0.time), $0.note]
            }).rendered)
        }
        if !endorsements.isEmpty {
            sections.append("endorsements\n" + Table(["ORGANISATION", "ENDORSED", "SINCE", "NOTE"], rows: endorsements.map {
                [$0.organisation, $0.endorsed ? "yes" : "withdrawn", Display.cell($0.time), $0.note]
            }).rendered)
        }
        if !annotations.isEmpty {
            sections.append("annotations\n" + Table(["ORGANISATION", "LABEL", "PRIORITY", "SINCE", "NOTE"], rows: annotations.map {
                let concurrent = $0.concurrent > 0 ? "  (+\($0.concurrent) concurrent)" : ""
                return [$0.organisation, $0.label.isEmpty ? "-" : $0.label, $0.priority, Display.cell($0.time), $0.note + concurrent]
            }).rendered)
        }
        if !progress.isEmpty {
            sections.append("progress\n" + Table(["DATE", "BY", "TEXT", "METRICS"], rows: progress.map { entry in
                [entry.date, entry.author, entry.text, Display.list(entry.metrics.map(MetricArgument.describe))]
            }).rendered)
        }
        return sections.joined(separator: "\n\n")
    }
}

extension InitiativeDetail {
    /// A field for the text form: "title  X  (concurrent: Y by svb)".
    private func withConcurrent(_ label: String, _ value: String) -> (label: String, value: String) {
        let others = concurrent.filter { $0.field == label }.map { "\($0.value) by \($0.author)" }
        return (label, others.isEmpty ? value : "\(value)  (concurrent: \(others.joined(separator: "; ")))")
    }
}

extension InitiativeDetail.ConcurrentValue {
    init(field: String, value: String, written: Kiem_V1_Provenance) {
        self.init(field: field, value: value, author: written.author, time: Display.date(hlc: written.hlc))
    }
}
