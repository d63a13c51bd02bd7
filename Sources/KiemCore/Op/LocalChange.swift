/// A change a node's user asks for, before it becomes an op: what to write,
/// without the bookkeeping. ``mutation(on:author:)`` adds that bookkeeping
/// from the writer's current view of the initiative: the register writes a
/// new value replaces, the set tags a removal covers, and the adoption a
/// non-owner's progress entry refers to.
public enum LocalChange: Hashable, Sendable {
    /// Creates an initiative.
    case create(InitiativeDraft)
    /// Sets a text field.
    case setText(TextField, String)
    /// Moves the initiative to a phase.
    case setPhase(PhaseValue)
    /// Adds a theme or link.
    case addElement(SetField, String)
    /// Removes a theme or link, as far as the writer has seen it.
    case removeElement(SetField, String)
    /// Sets the author organisation's adoption entry.
    case setAdoption(Adoption)
    /// Sets the author organisation's endorsement.
    case setEndorsement(Endorsement)
    /// Appends to the progress log.
    case addProgress(ProgressEntry)
    /// Archives or restores the initiative.
    case setArchived(Bool)
    /// Sets the author organisation's annotation.
    case setAnnotation(Annotation)

    /// The mutation that makes this change on `initiative` (the writer's
    /// current state of it; nil for a creation or an unknown initiative).
    public func mutation(on initiative: Initiative?, author: OrganisationID) -> Mutation {
        switch self {
        case let .create(draft):
            return .create(draft)
        case let .setText(field, value):
            return .setText(field, value, supersedes: initiative?.texts[field].currentWriteIDs ?? [])
        case let .setPhase(phase):
            return .setPhase(phase, supersedes: initiative?.phase.currentWriteIDs ?? [])
        case let .addElement(set, element):
            return .addElement(set, element)
        case let .removeElement(set, element):
            let elements = set == .themes ? initiative?.themes : initiative?.links
            return .removeElement(set, element, tags: elements?.liveTags(of: element) ?? [])
        case let .setAdoption(adoption):
            return .setAdoption(adoption, supersedes: initiative?.adoptions[author]?.currentWriteIDs ?? [])
        case let .setEndorsement(endorsement):
            return .setEndorsement(endorsement, supersedes: initiative?.endorsements[author]?.currentWriteIDs ?? [])
        case let .addProgress(entry):
            let adoption = initiative?.owner == author ? nil : initiative?.adoptions[author]?.winner?.op
            return .addProgress(entry, adoption: adoption)
        case let .setArchived(archived):
            return .setArchived(archived, supersedes: initiative?.archived.currentWriteIDs ?? [])
        case let .setAnnotation(annotation):
            return .setAnnotation(annotation, supersedes: initiative?.annotations[author]?.currentWriteIDs ?? [])
        }
    }
}
