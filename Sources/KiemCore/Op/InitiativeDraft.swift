/// The initial content of a new initiative, carried by its create op.
public struct InitiativeDraft: Hashable, Sendable {
    public var title: String
    public var summary: String
    public var description: String
    public var phase: PhaseValue
    public var contact: String
    public var funding: String
    public var themes: [String]
    public var links: [String]
    /// The initiative this one starts from, if any (lineage).
    public var derivedFrom: InitiativeID?

    /// Creates a draft; only the title is required.
    public init(
        title: String, summary: String = "", description: String = "",
        phase: PhaseValue = PhaseValue(.idea), contact: String = "", funding: String = "",
        themes: [String] = [], links: [String] = [], derivedFrom: InitiativeID? = nil
    ) {
        self.title = title
        self.summary = summary
        self.description = description
        self.phase = phase
        self.contact = contact
        self.funding = funding
        self.themes = themes
        self.links = links
        self.derivedFrom = derivedFrom
    }
}
