import KiemCore
import Synchronization

/// The keys that held ops wait for, kept in memory from one batch to the
/// next, so that a batch need not read and parse every `held_op.waits_for`
/// again. A catch-up that streams one origin after another holds many ops
/// (an adoption arrives before the creation it adopts) for many batches.
///
/// A batch takes the set (leaving nothing behind) and puts its own back only
/// after it committed; a batch that rolls back puts nothing back, so the
/// next one reads the table. So the set always equals the committed table.
final class HeldKeyIndex: Sendable {
    private let keys = Mutex<Set<HoldKey>?>(nil)

    /// The committed keys, moved out; nil when they must be read from the
    /// table.
    func take() -> Set<HoldKey>? {
        keys.withLock { keys in
            defer { keys = nil }
            return keys
        }
    }

    /// Keeps the keys a committed batch left, or nothing (nil) when there
    /// were too many to keep.
    func put(_ committed: Set<HoldKey>?) {
        keys.withLock { $0 = committed }
    }

    /// Forgets the keys (after the tables were changed behind the apply path).
    func removeAll() {
        put(nil)
    }
}
