/// The facts about one initiative that the overview needs, without its
/// history: winning values and a few timestamps.
///
/// ``init(_:)`` takes them from a replicated ``Initiative``; the memberwise
/// initializer lets a store fill them from its columns without building CRDT
/// values.
public struct PortfolioEntry: Hashable, Sendable {
    /// The initiative.
    public var id: InitiativeID
    /// The organisation that created it.
    public var owner: OrganisationID
    /// The winning title.
    public var title: String
    /// The winning phase.
    public var phase: Phase
    /// What was learned, when ``phase`` is `stopped`.
    public var lessonsLearned: String?
    /// Its themes, sorted.
    public var themes: [String]
    /// Each organisation's winning adoption status, dropped included.
    public var adoptions: [OrganisationID: AdoptionStatus]
    /// The organisations whose winning endorsement endorses it, sorted.
    public var endorsers: [OrganisationID]
    /// The initiative it was derived from (lineage).
    public var derivedFrom: InitiativeID?
    /// When it was created.
    public var createdAt: HLCTimestamp
    /// When the winning phase was written; the creation for an initiative
    /// that never moved.
    public var lastPhaseChange: HLCTimestamp
    /// When the newest progress entry was written, nil if there is none.
    public var lastProgress: HLCTimestamp?
    /// When an accepted op last changed it.
    public var lastChanged: HLCTimestamp
    /// Whether it is archived.
    public var isArchived: Bool

    /// Creates an entry from its facts.
    public init(
        id: InitiativeID, owner: OrganisationID, title: String, phase: Phase, lessonsLearned: String? = nil,
        themes: [String] = [], adoptions: [OrganisationID: AdoptionStatus] = [:], endorsers: [OrganisationID] = [],
        derivedFrom: InitiativeID? = nil, createdAt: HLCTimestamp, lastPhaseChange: HLCTimestamp,
        lastProgress: HLCTimestamp? = nil, lastChanged: HLCTimestamp, isArchived: Bool = false
    ) {
        self.id = id
        self.owner = owner
        self.title = title
        self.phase = phase
        self.lessonsLearned = lessonsLearned
        self.themes = themes
        self.adoptions = adoptions
        self.endorsers = endorsers
        self.derivedFrom = derivedFrom
        self.createdAt = createdAt
        self.lastPhaseChange = lastPhaseChange
        self.lastProgress = lastProgress
        self.lastChanged = lastChanged
        self.isArchived = isArchived
    }

    /// The entry of a replicated initiative.
    public init(_ initiative: Initiative) {
        let phase = initiative.currentPhase
        self.init(
            id: initiative.id, owner: initiative.owner, title: initiative.title, phase: phase.phase,
            lessonsLearned: phase.lessonsLearned, themes: initiative.themes.elements,
            adoptions: initiative.adoptionStatuses,
            endorsers: initiative.endorsements.compactMap { $0.value.value?.endorsed == true ? $0.key : nil }.sorted(),
            derivedFrom: initiative.derivedFrom, createdAt: initiative.createdAt,
            lastPhaseChange: initiative.phase.winner?.hlc ?? initiative.createdAt,
            lastProgress: initiative.progress.last?.hlc, lastChanged: initiative.lastChanged,
            isArchived: initiative.isArchived
        )
    }

    /// The endorsements it has.
    public var endorsementCount: Int { endorsers.count }

    /// When it last moved: its newest progress entry, phase change or creation.
    public var lastMovement: HLCTimestamp {
        max(createdAt, lastPhaseChange, lastProgress ?? .zero)
    }
}
