package import KiemCore

/// A node for tests: it writes ops the way `kiemd` does (next seq, next HLC,
/// `supersedes` from what it has seen) and keeps its own replica, which it
/// can sync from others. Time is a counter it advances itself.
package struct SimulatedNode: Sendable {
    /// The node.
    package let id: NodeID
    /// Its organisation.
    package let organisation: OrganisationID
    /// What it has received.
    package private(set) var replica = Replica()
    private var clock = HybridLogicalClock()
    private var nextSeq: UInt64 = 1
    private var wallMillis: UInt64

    /// Creates a node whose clock starts at `wallMillis`.
    package init(_ node: String, organisation: String, wallMillis: UInt64 = 1_764_400_000_000) {
        id = try! NodeID(node)
        self.organisation = try! OrganisationID(organisation)
        self.wallMillis = wallMillis
    }

    /// Receives ops from elsewhere.
    @discardableResult
    package mutating func receive(_ ops: some Sequence<Op>) -> ApplyOutcome {
        let list = Array(ops)
        for op in list { try? clock.receive(op.hlc, wallMillis: wallMillis) }
        return replica.apply(list)
    }

    /// Writes an op with the next seq and HLC and applies it locally. The op is
    /// returned whatever the rules say, so tests can also write ops that break
    /// them.
    @discardableResult
    package mutating func write(_ initiative: InitiativeID, _ mutation: Mutation) -> Op {
        let op = Op(id: OpID(origin: id, seq: nextSeq), hlc: tick(), author: organisation,
                    initiative: initiative, mutation: mutation)
        nextSeq += 1
        replica.apply([op])
        return op
    }

    /// Creates an initiative.
    @discardableResult
    package mutating func create(_ draft: InitiativeDraft) -> Op {
        let hlc = peekTick()
        return write(InitiativeID(timestamp: hlc, node: id), .create(draft))
    }

    /// Writes a change the way `kiemd` does: the mutation derived from what
    /// this node has seen (see ``KiemCore/LocalChange``).
    @discardableResult
    package mutating func change(_ initiative: InitiativeID, _ change: LocalChange) -> Op {
        write(initiative, change.mutation(on: replica.initiatives[initiative], author: organisation))
    }

    /// Sets a text field, replacing the values this node has seen.
    @discardableResult
    package mutating func setText(_ initiative: InitiativeID, _ field: TextField, _ value: String) -> Op {
        change(initiative, .setText(field, value))
    }

    /// Moves the initiative to a phase.
    @discardableResult
    package mutating func setPhase(_ initiative: InitiativeID, _ phase: PhaseValue) -> Op {
        change(initiative, .setPhase(phase))
    }

    /// Adds a theme or link.
    @discardableResult
    package mutating func add(_ initiative: InitiativeID, _ set: SetField, _ element: String) -> Op {
        change(initiative, .addElement(set, element))
    }

    /// Removes a theme or link as far as this node has seen it.
    @discardableResult
    package mutating func remove(_ initiative: InitiativeID, _ set: SetField, _ element: String) -> Op {
        change(initiative, .removeElement(set, element))
    }

    /// Sets this organisation's adoption entry.
    @discardableResult
    package mutating func adopt(_ initiative: InitiativeID, _ status: AdoptionStatus, note: String = "") -> Op {
        change(initiative, .setAdoption(Adoption(status: status, note: note)))
    }

    /// Sets this organisation's endorsement.
    @discardableResult
    package mutating func endorse(_ initiative: InitiativeID, _ endorsed: Bool = true, note: String = "") -> Op {
        change(initiative, .setEndorsement(Endorsement(endorsed: endorsed, note: note)))
    }

    /// Sets this organisation's annotation (portfolio label, priority).
    @discardableResult
    package mutating func annotate(_ initiative: InitiativeID, _ annotation: Annotation) -> Op {
        change(initiative, .setAnnotation(annotation))
    }

    /// Logs progress, naming this organisation's latest adoption op when it is
    /// not the owner.
    @discardableResult
    package mutating func logProgress(_ initiative: InitiativeID, _ entry: ProgressEntry) -> Op {
        change(initiative, .addProgress(entry))
    }

    /// Archives or restores the initiative.
    @discardableResult
    package mutating func setArchived(_ initiative: InitiativeID, _ archived: Bool) -> Op {
        change(initiative, .setArchived(archived))
    }

    /// Lets simulated time pass.
    package mutating func advance(millis: UInt64) { wallMillis += millis }

    private mutating func tick() -> HLCTimestamp {
        wallMillis += 1
        return clock.tick(wallMillis: wallMillis)
    }

    private func peekTick() -> HLCTimestamp {
        var copy = clock
        return copy.tick(wallMillis: wallMillis + 1)
    }
}
