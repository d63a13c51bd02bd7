/// The canonical payload form of a mutation: a tag byte, then its fields in a
/// fixed order. Tags and field order are part of the wire contract; never
/// reorder them, only append new tags.
extension Mutation {
    private enum Tag: UInt8 {
        case create = 1, setText, setPhase, addElement, removeElement, setAdoption, setEndorsement, addProgress, setArchived
        case setAnnotation
    }

    func write(to writer: inout CanonicalWriter) {
        switch self {
        case let .create(draft):
            writer.write(Tag.create.rawValue)
            writer.write(draft.title)
            writer.write(draft.summary)
            writer.write(draft.description)
            writer.write(draft.phase)
            writer.write(draft.contact)
            writer.write(draft.funding)
            writer.write(list: draft.themes) { $0.write($1) }
            writer.write(list: draft.links) { $0.write($1) }
            writer.write(optional: draft.derivedFrom) { $0.write($1) }
        case let .setText(field, value, supersedes):
            writer.write(Tag.setText.rawValue)
            writer.write(field.rawValue)
            writer.write(value)
            writer.write(supersedes)
        case let .setPhase(value, supersedes):
            writer.write(Tag.setPhase.rawValue)
            writer.write(value)
            writer.write(supersedes)
        case let .addElement(set, element):
            writer.write(Tag.addElement.rawValue)
            writer.write(set.rawValue)
            writer.write(element)
        case let .removeElement(set, element, tags):
            writer.write(Tag.removeElement.rawValue)
            writer.write(set.rawValue)
            writer.write(element)
            writer.write(tags)
        case let .setAdoption(adoption, supersedes):
            writer.write(Tag.setAdoption.rawValue)
            writer.write(adoption.status.rawValue)
            writer.write(adoption.note)
            writer.write(supersedes)
        case let .setEndorsement(endorsement, supersedes):
            writer.write(Tag.setEndorsement.rawValue)
            writer.write(endorsement.endorsed)
            writer.write(endorsement.note)
            writer.write(supersedes)
        case let .addProgress(entry, adoption):
            writer.write(Tag.addProgress.rawValue)
            writer.write(entry.date)
            writer.write(entry.text)
            writer.write(list: entry.metrics.sorted { $0.key < $1.key }) { writer, metric in
                writer.write(metric.key)
                writer.write(metric.value)
            }
            writer.write(optional: adoption) { $0.write($1) }
        case let .setArchived(archived, supersedes):
            writer.write(Tag.setArchived.rawValue)
            writer.write(archived)
            writer.write(supersedes)
        case let .setAnnotation(annotation, supersedes):
            writer.write(Tag.setAnnotation.rawValue)
            writer.write(annotation.label)
            writer.write(annotation.priority.rawValue)
            writer.write(annotation.note)
            writer.write(supersedes)
        }
    }

    init(from reader: inout CanonicalReader) throws(CanonicalDecodingError) {
        let tagByte = try reader.readUInt8("mutation tag")
        guard let tag = Tag(rawValue: tagByte) else {
            throw .invalid(field: "mutation tag", reason: "unknown tag \(tagByte)")
        }
        switch tag {
        case .create:
            let title = try reader.readString("title")
            let summary = try reader.readString("summary")
            let description = try reader.readString("description")
            let phase = try reader.readPhaseValue()
            let contact = try reader.readString("contact")
            let funding = try reader.readString("funding")
            let themes = try reader.readStrings("themes")
            let links = try reader.readStrings("links")
            let derivedFrom = try reader.readOptional("derivedFrom") { (reader: inout CanonicalReader) throws(CanonicalDecodingError) in
                try reader.readInitiativeID("derivedFrom")
            }
            self = .create(InitiativeDraft(
                title: title, summary: summary, description: description, phase: phase,
                contact: contact, funding: funding, themes: themes, links: links, derivedFrom: derivedFrom
            ))
        case .setText:
            let field = try reader.readEnum("text field", TextField.self)
            self = .setText(field, try reader.readString("text"), supersedes: try reader.readOpIDs("supersedes"))
        case .setPhase:
            self = .setPhase(try reader.readPhaseValue(), supersedes: try reader.readOpIDs("supersedes"))
        case .addElement:
            let set = try reader.readEnum("set field", SetField.self)
            self = .addElement(set, try reader.readString("element"))
        case .removeElement:
            let set = try reader.readEnum("set field", SetField.self)
            self = .removeElement(set, try reader.readString("element"), tags: try reader.readOpIDs("tags"))
        case .setAdoption:
            let status = try reader.readEnum("adoption status", AdoptionStatus.self)
            let note = try reader.readString("note")
            self = .setAdoption(Adoption(status: status, note: note), supersedes: try reader.readOpIDs("supersedes"))
        case .setEndorsement:
            let endorsed = try reader.readBool("endorsed")
            let note = try reader.readString("note")
            self = .setEndorsement(Endorsement(endorsed: endorsed, note: note), supersedes: try reader.readOpIDs("supersedes"))
        case .addProgress:
            let date = try reader.readString("date")
            let text = try reader.readString("text")
            let metricList = try reader.readList("metrics", minimumElementSize: 12) { (reader: inout CanonicalReader) throws(CanonicalDecodingError) in
                (try reader.readString("metric name"), try reader.readDouble("metric value"))
            }
            var metrics: [String: Double] = [:]
            for (name, value) in metricList {
                guard metrics.updateValue(value, forKey: name) == nil else {
                    throw .invalid(field: "metrics", reason: "metric '\(name)' appears twice")
                }
            }
            guard metricList.map(\.0) == metricList.map(\.0).sorted() else {
                throw .invalid(field: "metrics", reason: "metrics must be sorted by name")
            }
            let adoption = try reader.readOptional("adoption") { (reader: inout CanonicalReader) throws(CanonicalDecodingError) in
                try reader.readOpID("adoption")
            }
            self = .addProgress(ProgressEntry(date: date, text: text, metrics: metrics), adoption: adoption)
        case .setArchived:
            self = .setArchived(try reader.readBool("archived"), supersedes: try reader.readOpIDs("supersedes"))
        case .setAnnotation:
            let label = try reader.readString("label")
            let priority = try reader.readEnum("priority", Annotation.Priority.self)
            let note = try reader.readString("note")
            self = .setAnnotation(Annotation(label: label, priority: priority, note: note),
                                  supersedes: try reader.readOpIDs("supersedes"))
        }
    }
}

extension CanonicalWriter {
    fileprivate mutating func write(_ value: PhaseValue) {
        write(value.phase.rawValue)
        write(optional: value.lessonsLearned) { $0.write($1) }
    }
}

extension CanonicalReader {
    fileprivate mutating func readPhaseValue() throws(CanonicalDecodingError) -> PhaseValue {
        let phase = try readEnum("phase", Phase.self)
        let lessons = try readOptional("lessons learned") { (reader: inout CanonicalReader) throws(CanonicalDecodingError) in
            try reader.readString("lessons learned")
        }
        return PhaseValue(phase, lessonsLearned: lessons)
    }

    fileprivate mutating func readStrings(_ field: String) throws(CanonicalDecodingError) -> [String] {
        try readList(field, minimumElementSize: 4) { (reader: inout CanonicalReader) throws(CanonicalDecodingError) in
            try reader.readString(field)
        }
    }

    fileprivate mutating func readEnum<Value: RawRepresentable<UInt8>>(
        _ field: String, _ type: Value.Type
    ) throws(CanonicalDecodingError) -> Value {
        let raw = try readUInt8(field)
        guard let value = Value(rawValue: raw) else { throw .invalid(field: field, reason: "unknown value \(raw)") }
        return value
    }
}
