import KiemCore
import Synchronization

/// The origins whose ops one receiving stream carried but the node did not
/// take because the held-op quota deferred them (``OpLog/Ingested/deferred``):
/// once one of them may be taken again, the stream must end so that its
/// sender sends them on a new one.
final class StreamDeferrals: Sendable {
    private let deferred = Mutex<Set<NodeID>>([])

    /// The origins so far.
    var origins: Set<NodeID> { deferred.withLock { $0 } }

    /// Adds `origins`.
    /// - Returns: whether these are the stream's first deferred origins
    ///   (then someone must start watching for their resumption).
    func add(_ origins: some Collection<NodeID>) -> Bool {
        guard !origins.isEmpty else { return false }
        return deferred.withLock { deferred in
            defer { deferred.formUnion(origins) }
            return deferred.isEmpty
        }
    }
}
