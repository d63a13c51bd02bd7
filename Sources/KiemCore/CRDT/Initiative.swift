/// The replicated state of one initiative: a map of CRDT fields built from
/// its ops. Applying the same ops in any order gives the same value.
public struct Initiative: Hashable, Sendable {
    /// The initiative's id.
    public let id: InitiativeID
    /// The organisation that created it; only it edits the core fields.
    public let owner: OrganisationID
    /// The create op.
    public let createdBy: OpID
    /// When it was created.
    public let createdAt: HLCTimestamp
    /// The initiative it was derived from (lineage), fixed at creation.
    public let derivedFrom: InitiativeID?

    /// The text fields, each a register.
    public private(set) var texts: TextRegisters
    /// The phase register.
    public private(set) var phase: MultiValueRegister<PhaseValue>
    /// Whether the owner archived it.
    public private(set) var archived: MultiValueRegister<Bool>
    /// Themes, e.g. `mpc`, `ai`.
    public private(set) var themes: AddWinsSet
    /// Links and evidence.
    public private(set) var links: AddWinsSet
    /// Adoption entries by organisation.
    public private(set) var adoptions: [OrganisationID: MultiValueRegister<Adoption>]
    /// Endorsements by organisation.
    public private(set) var endorsements: [OrganisationID: MultiValueRegister<Endorsement>]
    /// The progress log, oldest first.
    public private(set) var progress: [ProgressRecord]
    /// Annotations (portfolio label, priority) by organisation.
    public private(set) var annotations: [OrganisationID: MultiValueRegister<Annotation>]
    /// The highest HLC of any op applied: when it last changed.
    public private(set) var lastChanged: HLCTimestamp
    /// The days (UTC, counted from 1970-01-01) of its creation and of every
    /// op applied to it, ascending, each once: its activity over time. Not
    /// visible state: like ``lastChanged``, a fact of the ops received.
    public private(set) var activeDays: [UInt32]

    /// Builds the initiative from its create op. Returns nil if `op` is not a
    /// create.
    public init?(creation op: Op) {
        guard case let .create(draft) = op.mutation else { return nil }
        id = op.initiative
        owner = op.author
        createdBy = op.id
        createdAt = op.hlc
        derivedFrom = draft.derivedFrom
        lastChanged = op.hlc
        activeDays = [op.hlc.day]
        texts = TextRegisters()
        phase = MultiValueRegister()
        archived = MultiValueRegister()
        themes = AddWinsSet()
        links = AddWinsSet()
        adoptions = [:]
        endorsements = [:]
        progress = []
        annotations = [:]
        let values: [(TextField, String)] = [
            (.title, draft.title), (.summary, draft.summary), (.description, draft.description),
            (.contact, draft.contact), (.funding, draft.funding),
        ]
        for (field, value) in values {
            texts[field].apply(write(value, op), supersedes: [])
        }
        phase.apply(write(draft.phase, op), supersedes: [])
        archived.apply(write(false, op), supersedes: [])
        for theme in draft.themes { themes.add(theme, tag: op.id) }
        for link in draft.links { links.add(link, tag: op.id) }
    }

    /// The winning value of a text field.
    public func text(_ field: TextField) -> String { texts[field].value ?? "" }

    /// The winning title.
    public var title: String { text(.title) }

    /// The winning phase.
    public var currentPhase: PhaseValue { phase.value ?? PhaseValue(.idea) }

    /// Whether it is archived.
    public var isArchived: Bool { archived.value ?? false }

    /// Each organisation's winning annotation, empty ones (cleared) left out.
    public var currentAnnotations: [OrganisationID: Annotation] {
        annotations.compactMapValues { register in register.value.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// The winning adoption status of each organisation.
    public var adoptionStatuses: [OrganisationID: AdoptionStatus] {
        adoptions.compactMapValues { $0.value?.status }
    }

    /// Applies an accepted op (not a create; creation is ``init(creation:)``).
    /// Returns whether the visible state changed. Rules are judged before, by
    /// ``Rules``; this only merges.
    @discardableResult
    public mutating func apply(_ op: Op) -> Bool {
        precondition(op.initiative == id, "op \(op.id) is for another initiative")
        lastChanged = max(lastChanged, op.hlc)
        noteActivity(on: op.hlc.day)
        switch op.mutation {
        case .create:
            return false
        case let .setText(field, value, supersedes):
            return texts[field].apply(write(value, op), supersedes: supersedes)
        case let .setPhase(value, supersedes):
            return phase.apply(write(value, op), supersedes: supersedes)
        case let .addElement(set, element):
            return set == .themes ? themes.add(element, tag: op.id) : links.add(element, tag: op.id)
        case let .removeElement(set, element, tags):
            return set == .themes ? themes.remove(element, tags: tags) : links.remove(element, tags: tags)
        case let .setAdoption(adoption, supersedes):
            return adoptions[op.author, default: MultiValueRegister()].apply(write(adoption, op), supersedes: supersedes)
        case let .setEndorsement(endorsement, supersedes):
            return endorsements[op.author, default: MultiValueRegister()].apply(write(endorsement, op), supersedes: supersedes)
        case let .addProgress(entry, _):
            let record = ProgressRecord(entry: entry, author: op.author, hlc: op.hlc, op: op.id)
            guard !progress.contains(where: { $0.op == op.id }) else { return false }
            let index = progress.firstIndex { record.precedes($0) } ?? progress.endIndex
            progress.insert(record, at: index)
            return true
        case let .setArchived(value, supersedes):
            return archived.apply(write(value, op), supersedes: supersedes)
        case let .setAnnotation(annotation, supersedes):
            return annotations[op.author, default: MultiValueRegister()].apply(write(annotation, op), supersedes: supersedes)
        }
    }

    /// Adds `day` to ``activeDays``. Ops mostly arrive in time order, so
    /// the usual case is a look at the last day.
    private mutating func noteActivity(on day: UInt32) {
        if let last = activeDays.last, last >= day {
            guard last != day else { return }
            var low = 0
            var high = activeDays.count - 1
            while low < high {
                let middle = (low + high) / 2
                if activeDays[middle] < day { low = middle + 1 } else { high = middle }
            }
            if activeDays[low] != day { activeDays.insert(day, at: low) }
        } else {
            activeDays.append(day)
        }
    }

    private func write<Value>(_ value: Value, _ op: Op) -> RegisterWrite<Value> {
        RegisterWrite(value: value, hlc: op.hlc, op: op.id)
    }
}
