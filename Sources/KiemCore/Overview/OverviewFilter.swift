/// Which initiatives an ``Overview`` covers. Archived initiatives are never
/// covered; the criteria below narrow the rest and must all hold.
public struct OverviewFilter: Hashable, Sendable {
    /// Only initiatives with at least one of these themes; empty for all.
    public var themes: Set<String>
    /// Only initiatives owned by one of these organisations; empty for all.
    public var owners: Set<OrganisationID>
    /// Only initiatives changed at or after this wall-clock time
    /// (milliseconds since 1970, UTC); nil for all. `kiemctl overview --since
    /// DATE` passes the start of that day.
    public var since: UInt64?
    /// Only initiatives that some organisation's annotation files under one
    /// of these portfolio labels; empty for all.
    public var labels: Set<String>

    /// Creates a filter; the defaults cover every initiative not archived.
    public init(
        themes: Set<String> = [], owners: Set<OrganisationID> = [], since: UInt64? = nil, labels: Set<String> = []
    ) {
        self.themes = themes
        self.owners = owners
        self.since = since
        self.labels = labels
    }

    /// Whether the overview covers `entry`.
    public func includes(_ entry: PortfolioEntry) -> Bool {
        !entry.isArchived
            && (owners.isEmpty || owners.contains(entry.owner))
            && (themes.isEmpty || entry.themes.contains(where: themes.contains))
            && (since.map { entry.lastChanged.wallMillis >= $0 } ?? true)
            && (labels.isEmpty || entry.annotations.values.contains { labels.contains($0.label) })
    }
}
