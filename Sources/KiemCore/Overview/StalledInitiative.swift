/// An initiative that has not moved for longer than the overview allows.
public struct StalledInitiative: Hashable, Sendable {
    /// The initiative.
    public let entry: PortfolioEntry
    /// Whole days since it last moved (``PortfolioEntry/lastMovement``).
    public let daysSinceMovement: Int

    /// The stalled initiatives, found entry by entry: not stopped, and no
    /// progress entry, phase change or creation in the `days` days before
    /// `now`. One that moved exactly `days` days ago is not stalled yet; a
    /// millisecond later it is.
    struct Tally {
        private let allowedMillis: UInt64
        private let now: UInt64
        private var stalled: [StalledInitiative] = []

        init(days: Int, now: UInt64) {
            precondition(days >= 0, "a stall needs a non-negative number of days")
            allowedMillis = UInt64(days) * millisPerDay
            self.now = now
        }

        mutating func add(_ entry: PortfolioEntry) {
            let moved = entry.lastMovement.wallMillis
            guard entry.phase != .stopped, now > moved, now - moved > allowedMillis else { return }
            stalled.append(StalledInitiative(entry: entry, daysSinceMovement: Int((now - moved) / millisPerDay)))
        }

        /// The stalled initiatives, the longest still first, ties by id.
        consuming func result() -> [StalledInitiative] {
            stalled.sorted(byKey: { ($0.entry.lastMovement, $0.entry.id) }, <)
        }
    }
}
