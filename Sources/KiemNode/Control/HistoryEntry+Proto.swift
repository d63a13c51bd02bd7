import KiemCore
import KiemProtocol
import KiemStore
import SwiftProtobuf

extension Mutation {
    /// The kind of change, for history and watch events.
    var changeKind: Kiem_V1_ChangeKind {
        switch self {
        case .create: .create
        case .setText: .edit
        case .setPhase: .phase
        case let .addElement(set, _), let .removeElement(set, _, _): set == .themes ? .themes : .links
        case .addProgress: .progress
        case .setAdoption: .adoption
        case .setEndorsement: .endorsement
        case .setArchived: .archive
        case .setAnnotation: .annotation
        }
    }

    /// The change in a few words, e.g. `phase: proven`, `+theme ai`.
    func summary(author: OrganisationID) -> String {
        switch self {
        case let .create(draft): "created \"\(draft.title)\" (\(draft.phase.phase))"
        case let .setText(field, value, _): "\(field): \"\(value.count > 60 ? value.prefix(57) + "..." : value)\""
        case let .setPhase(value, _):
            value.lessonsLearned.map { "phase: \(value.phase) (lessons learned: \($0))" } ?? "phase: \(value.phase)"
        case let .addElement(set, element): "+\(set == .themes ? "theme" : "link") \(element)"
        case let .removeElement(set, element, _): "-\(set == .themes ? "theme" : "link") \(element)"
        case let .setAdoption(adoption, _): "adoption by \(author): \(adoption.status)"
        case let .setEndorsement(endorsement, _): endorsement.endorsed ? "endorsed by \(author)" : "endorsement withdrawn by \(author)"
        case let .addProgress(entry, _): "progress \(entry.date): \(entry.text)"
        case let .setArchived(archived, _): archived ? "archived" : "restored"
        case let .setAnnotation(annotation, _): annotation.isEmpty ? "annotation cleared by \(author)" : annotation.summary(by: author)
        }
    }
}

extension Annotation {
    /// E.g. `annotated by regie: label werkagenda-2027, priority high`.
    fileprivate func summary(by author: OrganisationID) -> String {
        var parts: [String] = []
        if !label.isEmpty { parts.append("label \(label)") }
        parts.append("priority \(priority)")
        if !note.isEmpty { parts.append("note \"\(note.count > 40 ? note.prefix(37) + "..." : note)\"") }
        return "annotated by \(author): " + parts.joined(separator: ", ")
    }
}

extension HistoryEntry {
    /// The audit-trail line, marked superseded when `initiative` no longer
    /// shows the value the op wrote.
    func proto(in initiative: Initiative) -> Kiem_V1_HistoryEntry {
        Kiem_V1_HistoryEntry.with { message in
            message.written = Kiem_V1_Provenance.with {
                $0.op = op.id.proto
                $0.hlc = op.hlc.rawValue
                $0.author = op.author.rawValue
            }
            message.kind = op.mutation.changeKind
            var description = op.mutation.summary(author: op.author)
            switch status {
            case .accepted: break
            case let .held(key): description += " (held: waiting for the \(key))"
            case let .rejected(rejection): description += " (rejected: \(rejection.message))"
            }
            message.description_p = description
            message.superseded = status == .accepted && !initiative.shows(op)
        }
    }
}

extension Initiative {
    /// Whether the value `op` wrote to a register is still visible (a
    /// winner or a concurrent value). Ops that write no register are shown.
    fileprivate func shows(_ op: Op) -> Bool {
        switch op.mutation {
        case let .setText(field, _, _): texts[field].currentWriteIDs.contains(op.id)
        case .setPhase: phase.currentWriteIDs.contains(op.id)
        case .setArchived: archived.currentWriteIDs.contains(op.id)
        case .setAdoption: adoptions[op.author]?.currentWriteIDs.contains(op.id) ?? false
        case .setEndorsement: endorsements[op.author]?.currentWriteIDs.contains(op.id) ?? false
        case .setAnnotation: annotations[op.author]?.currentWriteIDs.contains(op.id) ?? false
        case .create, .addElement, .removeElement, .addProgress: true
        }
    }
}
