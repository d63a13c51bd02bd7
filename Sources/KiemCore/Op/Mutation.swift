/// A text field of an initiative, each a last-writer-wins register.
public enum TextField: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case title = 1, summary, description, contact, funding

    /// Parses the lowercase name, e.g. `summary`.
    public init?(name: String) {
        guard let field = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = field
    }

    public var description: String {
        switch self {
        case .title: "title"
        case .summary: "summary"
        case .description: "description"
        case .contact: "contact"
        case .funding: "funding"
        }
    }
}

/// A set-valued field of an initiative, each an add-wins set.
public enum SetField: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case themes = 1, links

    public var description: String {
        switch self {
        case .themes: "themes"
        case .links: "links"
        }
    }
}

/// What an op does to its initiative.
///
/// Register writes name the writes they replace (`supersedes`): the op ids of
/// the values their author saw. Set removals name the add tags they saw.
public enum Mutation: Hashable, Sendable {
    /// Creates the initiative; its author becomes the owner. Boxed, so that
    /// ops stay small to copy.
    indirect case create(InitiativeDraft)
    /// Sets a text field.
    case setText(TextField, String, supersedes: [OpID])
    /// Moves the initiative to a phase.
    case setPhase(PhaseValue, supersedes: [OpID])
    /// Adds an element to a set; the op's id tags the addition.
    case addElement(SetField, String)
    /// Removes the observed additions of an element.
    case removeElement(SetField, String, tags: [OpID])
    /// Sets the author organisation's adoption entry.
    case setAdoption(Adoption, supersedes: [OpID])
    /// Sets the author organisation's endorsement.
    case setEndorsement(Endorsement, supersedes: [OpID])
    /// Appends to the progress log. An author other than the owner names its
    /// organisation's adoption op.
    case addProgress(ProgressEntry, adoption: OpID?)
    /// Archives or restores the initiative.
    case setArchived(Bool, supersedes: [OpID])
    /// Sets the author organisation's annotation (its portfolio label and
    /// priority for the initiative).
    case setAnnotation(Annotation, supersedes: [OpID])

    /// A short name for logs and history, e.g. `setPhase`.
    public var kind: String {
        switch self {
        case .create: "create"
        case .setText: "setText"
        case .setPhase: "setPhase"
        case .addElement: "addElement"
        case .removeElement: "removeElement"
        case .setAdoption: "setAdoption"
        case .setEndorsement: "setEndorsement"
        case .addProgress: "addProgress"
        case .setArchived: "setArchived"
        case .setAnnotation: "setAnnotation"
        }
    }
}
