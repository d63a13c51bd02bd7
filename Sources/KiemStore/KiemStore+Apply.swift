import GRDB
import Synchronization
public import KiemCore

extension KiemStore {
    /// Applies a batch of ops in one write transaction and returns what
    /// changed.
    ///
    /// The batch is taken in order. Each origin's log must continue without a
    /// gap: an op at or below the stored vector is a duplicate (skipped and
    /// counted); an op beyond the next expected seq, counting ops earlier in
    /// the batch, throws ``StoreError/gap(origin:expected:got:)``. Ops are
    /// judged by KiemCore's ``KiemCore/OpApplier``, so the store decides
    /// exactly as the in-memory ``KiemCore/Replica`` does: accepted ops are
    /// applied, held ops wait for what they need, rejected ops are recorded
    /// with the reason and never materialized.
    ///
    /// Any error rolls the whole batch back: nothing of it is applied.
    /// Re-applying a batch is a no-op (every op counts as a duplicate).
    @discardableResult
    public func apply(_ ops: [Op]) throws -> ApplyOutcome {
        try apply(ops, encoded: [], faultAfterDecisions: nil)
    }

    /// Applies a batch whose canonical bytes the caller already has (as sync
    /// does, having decoded them): the same as applying the ops without
    /// encoding each op again.
    /// - Parameter quota: when given, no origin is taken past it: an
    ///   origin's ops from the first one that would be held beyond it are
    ///   left out, and ``KiemCore/ApplyOutcome/deferred`` says where each
    ///   such origin was cut. The batch is then applied again without them,
    ///   in the same transaction (the first try is rolled back to a savepoint).
    @discardableResult
    public func apply(_ ops: [EncodedOp], quota: HeldOpQuota? = nil) throws -> ApplyOutcome {
        try apply(ops.map(\.op), encoded: ops, quota: quota, faultAfterDecisions: nil)
    }

    /// Applies ops, failing on purpose after `faultAfterDecisions`
    /// ops were decided and written (for tests of the rollback).
    func apply(
        _ ops: [Op], encoded: [EncodedOp] = [], quota: HeldOpQuota? = nil, faultAfterDecisions: Int?
    ) throws -> ApplyOutcome {
        try perform { pool in
            // Writes are serialized anyway; the lock also covers handing the
            // committed states and held keys on, so the next batch sees them.
            try writeLock.withLock { _ in
                let (outcome, committed) = try pool.write { db in
                    let heldKeys = heldKeyIndex.take()
                    var (batch, encodedBatch) = (ops, encoded)
                    var deferred: [NodeID: UInt64] = [:]
                    while true {
                        var applied: (ApplyOutcome, StoreApplyContext.Committed)?
                        try db.inSavepoint {
                            var context = try StoreApplyContext(
                                db: db, path: path, cache: initiativeCache, revocations: revocationCutoffs.withLock { $0 },
                                heldKeys: heldKeys, encoded: encodedBatch)
                            context.faultAfterDecisions = faultAfterDecisions
                            try context.checkContiguity(batch)
                            var outcome = try OpApplier.apply(batch, to: &context)
                            if let quota, !outcome.held.isEmpty {
                                let cuts = quota.cuts(
                                    heldInBatch: outcome.held.keys,
                                    heldAfter: try Self.heldCounts(db, origins: Set(outcome.held.keys.map(\.origin))))
                                if !cuts.isEmpty {
                                    deferred.merge(cuts) { min($0, $1) }
                                    batch.removeAll { $0.id.seq >= cuts[$0.origin] ?? .max }
                                    encodedBatch.removeAll { $0.op.id.seq >= cuts[$0.op.origin] ?? .max }
                                    return .rollback
                                }
                            }
                            outcome.deferred = deferred
                            applied = (outcome, try context.finish())
                            return .commit
                        }
                        if let applied { return applied }
                    }
                }
                initiativeCache.store(committed.initiatives)
                heldKeyIndex.put(committed.heldKeys)
                portfolioCache.markChanged(by: outcome)
                return outcome
            }
        }
    }

    /// How many held ops each of `origins` has.
    static func heldCounts(_ db: Database, origins: Set<NodeID>) throws -> [NodeID: Int] {
        var counts: [NodeID: Int] = [:]
        for origin in origins {
            counts[origin] = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM origin o JOIN held_op h ON h.op BETWEEN (o.number << 40) AND (o.number << 40) | ?
                WHERE o.node = ?
                """, arguments: [Int64(bitPattern: Migrations.maxSeq), origin.rawValue]) ?? 0
        }
        return counts
    }

    /// How many held ops `origin` has (ops of it waiting for an initiative
    /// or op the store does not hold).
    public func heldOpCount(of origin: NodeID) throws -> Int {
        try perform { pool in
            try pool.read { db in try Self.heldCounts(db, origins: [origin])[origin] ?? 0 }
        }
    }
}
