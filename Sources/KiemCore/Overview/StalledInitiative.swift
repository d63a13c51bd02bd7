/// An initiative that has not moved for longer than the overview allows.
public struct StalledInitiative: Hashable, Sendable {
    /// The initiative.
    public let entry: PortfolioEntry
    /// Whole days since it last moved (``PortfolioEntry/lastMovement``).
    public let daysSinceMovement: Int

    /// The stalled initiatives of `entries`, the longest still first, ties by
    /// id: not stopped, and no progress entry, phase change or creation in the
    /// `days` days before `now`. One that moved exactly `days` days ago is not
    /// stalled yet; a millisecond later it is.
    static func all(in entries: [PortfolioEntry], days: Int, now: UInt64) -> [StalledInitiative] {
        precondition(days >= 0, "a stall needs a non-negative number of days")
        let allowed = UInt64(days) * millisPerDay
        return entries.compactMap { entry in
            let moved = entry.lastMovement.wallMillis
            guard entry.phase != .stopped, now > moved, now - moved > allowed else { return nil }
            return StalledInitiative(entry: entry, daysSinceMovement: Int((now - moved) / millisPerDay))
        }.sorted(byKey: { ($0.entry.lastMovement, $0.entry.id) }, <)
    }
}
