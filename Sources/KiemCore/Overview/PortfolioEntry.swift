/// The facts about one initiative that the overview needs, without its
/// history: winning values and a few timestamps.
///
/// ``init(_:)`` takes them from a replicated ``Initiative``; the memberwise
/// initializer lets a store fill them from its columns without building CRDT
/// values.
public struct PortfolioEntry: Hashable, Sendable {
    // Copies share one immutable box: an overview lists many entries in more
    // than one place, and a copy then costs one reference count instead of
    // one per string and collection.
    private let box: Box

    /// The initiative.
    public var id: InitiativeID { box.facts.id }
    /// The organisation that created it.
    public var owner: OrganisationID { box.facts.owner }
    /// The winning title.
    public var title: String { box.facts.title }
    /// The winning phase.
    public var phase: Phase { box.facts.phase }
    /// What was learned, when ``phase`` is `stopped`.
    public var lessonsLearned: String? { box.facts.lessonsLearned }
    /// Its themes, sorted.
    public var themes: [String] { box.facts.themes }
    /// Each organisation's winning adoption status, dropped included.
    public var adoptions: [OrganisationID: AdoptionStatus] { box.facts.adoptions }
    /// The organisations whose winning endorsement endorses it, sorted.
    public var endorsers: [OrganisationID] { box.facts.endorsers }
    /// The initiative it was derived from (lineage).
    public var derivedFrom: InitiativeID? { box.facts.derivedFrom }
    /// When it was created.
    public var createdAt: HLCTimestamp { box.facts.createdAt }
    /// When the winning phase was written; the creation for an initiative
    /// that never moved.
    public var lastPhaseChange: HLCTimestamp { box.facts.lastPhaseChange }
    /// When the newest progress entry was written, nil if there is none.
    public var lastProgress: HLCTimestamp? { box.facts.lastProgress }
    /// When an accepted op last changed it.
    public var lastChanged: HLCTimestamp { box.facts.lastChanged }
    /// Whether it is archived.
    public var isArchived: Bool { box.facts.isArchived }
    /// Each organisation's winning annotation that says something (portfolio
    /// label, priority, note).
    public var annotations: [OrganisationID: Annotation] { box.facts.annotations }
    /// The days (UTC, from 1970-01-01) on which it was created or changed,
    /// ascending (``Initiative/activeDays``).
    public var activeDays: [UInt32] { box.facts.activeDays }

    /// Creates an entry from its facts. Without `activeDays`, the days of
    /// `createdAt`, `lastPhaseChange`, `lastProgress` and `lastChanged` stand
    /// for them: what an entry written before they were kept knows.
    public init(
        id: InitiativeID, owner: OrganisationID, title: String, phase: Phase, lessonsLearned: String? = nil,
        themes: [String] = [], adoptions: [OrganisationID: AdoptionStatus] = [:], endorsers: [OrganisationID] = [],
        derivedFrom: InitiativeID? = nil, createdAt: HLCTimestamp, lastPhaseChange: HLCTimestamp,
        lastProgress: HLCTimestamp? = nil, lastChanged: HLCTimestamp, isArchived: Bool = false,
        annotations: [OrganisationID: Annotation] = [:], activeDays: [UInt32]? = nil
    ) {
        let days = activeDays ?? Set([createdAt, lastPhaseChange, lastProgress ?? createdAt, lastChanged].map(\.day)).sorted()
        box = Box(facts: Facts(
            id: id, owner: owner, title: title, phase: phase, lessonsLearned: lessonsLearned, themes: themes,
            adoptions: adoptions, endorsers: endorsers, derivedFrom: derivedFrom, createdAt: createdAt,
            lastPhaseChange: lastPhaseChange, lastProgress: lastProgress, lastChanged: lastChanged,
            isArchived: isArchived, annotations: annotations, activeDays: days
        ))
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
            isArchived: initiative.isArchived, annotations: initiative.currentAnnotations,
            activeDays: initiative.activeDays
        )
    }

    /// The endorsements it has.
    public var endorsementCount: Int { endorsers.count }

    /// When it last moved: its newest progress entry, phase change or creation.
    public var lastMovement: HLCTimestamp {
        max(createdAt, lastPhaseChange, lastProgress ?? .zero)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.box === rhs.box || lhs.box.facts == rhs.box.facts
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.facts) }

    private struct Facts: Hashable, Sendable {
        let id: InitiativeID
        let owner: OrganisationID
        let title: String
        let phase: Phase
        let lessonsLearned: String?
        let themes: [String]
        let adoptions: [OrganisationID: AdoptionStatus]
        let endorsers: [OrganisationID]
        let derivedFrom: InitiativeID?
        let createdAt: HLCTimestamp
        let lastPhaseChange: HLCTimestamp
        let lastProgress: HLCTimestamp?
        let lastChanged: HLCTimestamp
        let isArchived: Bool
        let annotations: [OrganisationID: Annotation]
        let activeDays: [UInt32]
    }

    private final class Box: Sendable {
        let facts: Facts
        init(facts: Facts) { self.facts = facts }
    }
}
