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
    @discardableResult
    public func apply(_ ops: [EncodedOp]) throws -> ApplyOutcome {
        try apply(ops.map(\.op), encoded: ops, faultAfterDecisions: nil)
    }

    /// Applies ops, failing on purpose after `faultAfterDecisions`
    /// ops were decided and written (for tests of the rollback).
    func apply(_ ops: [Op], encoded: [EncodedOp] = [], faultAfterDecisions: Int?) throws -> ApplyOutcome {
        try perform { pool in
            // Writes are serialized anyway; the lock also covers handing the
            // committed states and held keys on, so the next batch sees them.
            try writeLock.withLock { _ in
                let (outcome, committed) = try pool.write { db in
                    var context = try StoreApplyContext(
                        db: db, path: path, cache: initiativeCache, heldKeys: heldKeyIndex.take(), encoded: encoded)
                    context.faultAfterDecisions = faultAfterDecisions
                    try context.checkContiguity(ops)
                    let outcome = try OpApplier.apply(ops, to: &context)
                    return (outcome, try context.finish())
                }
                initiativeCache.store(committed.initiatives)
                heldKeyIndex.put(committed.heldKeys)
                portfolioCache.markChanged(by: outcome)
                return outcome
            }
        }
    }
}
