public import KiemCore

/// One line of a listing: an initiative's winning values, without history.
public struct InitiativeSummary: Hashable, Sendable {
    /// The initiative.
    public var id: InitiativeID
    /// The organisation that created it.
    public var owner: OrganisationID
    /// The winning title.
    public var title: String
    /// The winning summary.
    public var summary: String
    /// The winning phase.
    public var phase: Phase
    /// Whether it is archived.
    public var isArchived: Bool
    /// Whether some field has concurrent values (``KiemCore/MultiValueRegister/isContested``).
    public var isContested: Bool
    /// The initiative it was derived from.
    public var derivedFrom: InitiativeID?
    /// When it was created.
    public var createdAt: HLCTimestamp
    /// When an accepted op last changed it.
    public var lastChanged: HLCTimestamp
    /// Its themes, sorted.
    public var themes: [String]
    /// Each organisation's winning adoption status (dropped included).
    public var adoptions: [OrganisationID: AdoptionStatus]

    /// Creates a summary.
    public init(
        id: InitiativeID, owner: OrganisationID, title: String, summary: String, phase: Phase,
        isArchived: Bool, isContested: Bool, derivedFrom: InitiativeID?, createdAt: HLCTimestamp,
        lastChanged: HLCTimestamp, themes: [String], adoptions: [OrganisationID: AdoptionStatus]
    ) {
        self.id = id
        self.owner = owner
        self.title = title
        self.summary = summary
        self.phase = phase
        self.isArchived = isArchived
        self.isContested = isContested
        self.derivedFrom = derivedFrom
        self.createdAt = createdAt
        self.lastChanged = lastChanged
        self.themes = themes
        self.adoptions = adoptions
    }
}
