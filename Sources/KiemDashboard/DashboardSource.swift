package import KiemCore
package import KiemProtocol
package import KiemStore

/// What the dashboard reads: the node's replica and its peers, as `kiemctl`
/// sees them. The dashboard knows no node; `KiemNode` supplies one
/// (`NodeDashboardSource`), tests may supply another. Reads that touch the
/// store run off the caller's thread (the thread pool), as every store read
/// of the node does.
package protocol DashboardSource: Sendable {
    /// The portfolio overview now (Control `Overview`'s figures).
    func overview(filter: OverviewFilter, stalledAfterDays: Int) async throws -> Overview
    /// Every peer's report, as `kiemctl status` and `peers list` show it.
    func peers() -> [Kiem_V1_Peer]
    /// The portfolio column of the replica: one entry per initiative.
    func portfolio() async throws -> [PortfolioEntry]
    /// An initiative with its history and lineage both ways; nil for one
    /// the replica does not hold.
    func initiative(_ id: InitiativeID) async throws -> InitiativeDocument?
    /// Full-text search, at most `limit` results.
    func search(_ text: String, limit: Int) async throws -> [InitiativeSummary]
}
