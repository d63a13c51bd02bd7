import KiemCore
import KiemProtocol
import KiemStore
import NIOPosix
import SwiftProtobuf

/// The `Watch` stream: follows the store's version vector and turns every
/// op that arrives (written here or received) into a ``Kiem_V1_WatchEvent``
/// if it matches the filter. Reads the new ops with the same cursor a peer's
/// catch-up uses, so nothing is missed between two wake-ups.
struct WatchFeed: Sendable {
    let replicator: Replicator
    let filter: Kiem_V1_WatchRequest
    let pool: NIOThreadPool

    /// Streams events until the task is cancelled or the node stops.
    func run(write: @Sendable (Kiem_V1_WatchEvent) async throws -> Void) async throws {
        let store = replicator.store
        let local = replicator.oplog.node
        var seen = replicator.oplog.versionVector
        if filter.includeCurrent {
            let current = try await pool.runIfActive {
                try store.initiatives(matching: InitiativeQuery(includeArchived: true, limit: Int.max))
            }
            for summary in current where matches(summary.proto) {
                try await write(Kiem_V1_WatchEvent.with {
                    $0.initiativeID = summary.id.description
                    $0.summary = summary.proto
                })
            }
        }
        while !Task.isCancelled, !replicator.isStopping {
            let generation = replicator.changes.generation
            if replicator.oplog.versionVector != seen {
                var cursor = try await pool.runIfActive { [seen] in try store.missingOps(for: seen, batchSize: 500) }
                while let (events, advanced) = try await pool.runIfActive({ [cursor] in
                    try Self.nextEvents(from: cursor, store: store, local: local)
                }) {
                    cursor = advanced
                    for (id, event) in events {
                        seen.advance(id.origin, to: id.seq)
                        if let event, matches(event.summary) { try await write(event) }
                    }
                }
            }
            await replicator.changes.wait(after: generation)
        }
    }

    /// The ops of the cursor's next batch with their events, and the cursor
    /// after it; nil when it is done. An op whose initiative is not
    /// materialized (held for its creation) has no event.
    private static func nextEvents(
        from cursor: MissingOpsCursor, store: KiemStore, local: NodeID
    ) throws -> ([(OpID, Kiem_V1_WatchEvent?)], MissingOpsCursor)? {
        var cursor = cursor
        guard let ops = try cursor.next() else { return nil }
        let events = try ops.map { op -> (OpID, Kiem_V1_WatchEvent?) in
            guard let initiative = try store.initiativeState(op.initiative) else { return (op.id, nil) }
            return (op.id, Kiem_V1_WatchEvent.with {
                $0.op = op.id.proto
                $0.kind = op.mutation.changeKind
                $0.initiativeID = op.initiative.description
                $0.summary = initiative.summaryProto
                $0.remote = op.id.origin != local
                $0.hlc = op.hlc.rawValue
            })
        }
        return (events, cursor)
    }

    private func matches(_ summary: Kiem_V1_InitiativeSummary) -> Bool {
        (filter.initiativeIds.isEmpty || filter.initiativeIds.contains(summary.id))
            && (filter.themes.isEmpty || !Set(filter.themes).isDisjoint(with: summary.themes))
            && (filter.owners.isEmpty || filter.owners.contains(summary.owner))
    }
}
