import KiemCore
import KiemStore
import NIOPosix

/// The portfolio overview of this node's replica: the store's portfolio
/// column read on the thread pool, then KiemCore's pure
/// ``KiemCore/Overview/compute(_:filter:now:stalledAfterDays:recentLimit:)``.
/// Any node can compute it; the regie serves it (Control `Overview`, the
/// dashboard).
struct OverviewSource: Sendable {
    let replicator: Replicator
    var pool: NIOThreadPool = .singleton

    /// The overview now.
    /// - Parameter now: wall-clock milliseconds since 1970 (UTC) from which
    ///   stalls and activity weeks are reckoned; defaults to the clock.
    func overview(
        filter: OverviewFilter = OverviewFilter(), stalledAfterDays: Int = 90, now: UInt64 = Replicator.wallMillis()
    ) async throws -> Overview {
        let store = replicator.store
        let entries = try await pool.runIfActive { try store.portfolio() }
        return Overview.compute(entries, filter: filter, now: now, stalledAfterDays: stalledAfterDays)
    }
}
