/// A whole replica in memory: every op received, the initiatives they build,
/// and what is held or rejected. The reference model the SQLite store must
/// agree with, and what the CRDT laws are tested on.
public struct Replica: Sendable {
    /// The materialized initiatives.
    public private(set) var initiatives: [InitiativeID: Initiative] = [:]
    /// Every op received, per origin.
    private var logs: [NodeID: OriginLog] = [:]
    private var held: [HoldKey: [Op]] = [:]
    /// The number of ops waiting for a creation or a named op.
    public private(set) var heldCount = 0

    private struct Entry: Sendable {
        let op: Op
        var status: OpStatus
    }

    /// One origin's ops, indexed by seq - 1 (nil: not received yet).
    private struct OriginLog: Sendable {
        var entries: [Entry?] = []
        /// How many ops from seq 1 on are present without a gap.
        var contiguous = 0

        mutating func record(_ entry: Entry) {
            let index = Int(entry.op.id.seq - 1)
            if index == entries.count {
                entries.append(entry)
            } else {
                if entries.count < index { entries.append(contentsOf: repeatElement(nil, count: index - entries.count)) }
                if index < entries.count { entries[index] = entry } else { entries.append(entry) }
            }
            while contiguous < entries.count, entries[contiguous] != nil { contiguous += 1 }
        }
    }

    /// The contiguous prefix of every origin's log this replica holds.
    public var versionVector: VersionVector {
        VersionVector(logs.mapValues { UInt64($0.contiguous) })
    }

    /// An empty replica.
    public init() {}

    /// Applies ops in the given order.
    @discardableResult
    public mutating func apply(_ ops: some Sequence<Op>) -> ApplyOutcome {
        var context = Context(replica: self)
        self = Replica()
        let outcome = try! OpApplier.apply(ops, to: &context)
        self = context.replica
        return outcome
    }

    /// What was decided about an op, or nil if it has not been received.
    public func status(of id: OpID) -> OpStatus? { entry(id)?.status }

    /// Every op received (accepted, held or rejected), per origin in seq order.
    public var receivedOps: [Op] {
        logs.keys.sorted().flatMap { logs[$0]!.entries.compactMap { $0?.op } }
    }

    /// The ops accepted, per origin in seq order.
    public var acceptedOps: [Op] {
        logs.keys.sorted().flatMap { logs[$0]!.entries.compactMap { $0?.status == .accepted ? $0?.op : nil } }
    }

    /// This replica with every op of `other` applied: the CRDT merge.
    public func merged(with other: Replica) -> Replica {
        var result = self
        result.apply(other.receivedOps)
        return result
    }

    /// The digest of the visible state (see ``StateDigest``).
    public var digest: String {
        var digest = StateDigest()
        for id in initiatives.keys.sorted() {
            digest.add(visibleStateHash: initiatives[id]!.visibleStateHash)
        }
        return digest.finalize()
    }

    private func entry(_ id: OpID) -> Entry? {
        guard let log = logs[id.origin], id.seq <= log.entries.count else { return nil }
        return log.entries[Int(id.seq - 1)]
    }

    fileprivate mutating func record(_ op: Op, _ status: OpStatus) {
        logs[op.origin, default: OriginLog()].record(Entry(op: op, status: status))
    }

    /// Adapts the replica to ``ApplyContext``; owns it while a batch runs so
    /// that updates happen in place.
    private struct Context: ApplyContext {
        var replica: Replica

        func contains(_ id: OpID) -> Bool { replica.entry(id) != nil }

        func initiative(_ id: InitiativeID) -> Initiative? { replica.initiatives[id] }

        func reference(_ id: OpID) -> ReferencedOp {
            switch replica.entry(id) {
            case let entry? where entry.status == .accepted: .accepted(entry.op)
            case let entry?: if case .rejected = entry.status { .rejected } else { .unknown }
            case nil: .unknown
            }
        }

        mutating func accept(_ op: Op) {
            replica.record(op, .accepted)
            Initiative.apply(op, to: &replica.initiatives)
        }

        mutating func hold(_ op: Op, until key: HoldKey) {
            replica.held[key, default: []].append(op)
            replica.heldCount += 1
            replica.record(op, .held(key))
        }

        mutating func reject(_ op: Op, because rejection: Rejection) {
            replica.record(op, .rejected(rejection))
        }

        mutating func releaseHeld(_ key: HoldKey) -> [Op] {
            let released = replica.held.removeValue(forKey: key) ?? []
            replica.heldCount -= released.count
            return released
        }
    }
}

