import KiemCore
import KiemDashboard
import KiemProtocol
import KiemStore
import NIOPosix

/// The dashboard's view of this node: the overview of ``OverviewSource``,
/// the peers of ``PeerReports`` and the store, read on the thread pool, the
/// initiative mapped to the Control API's messages as `kiemctl initiative
/// show` gets it.
struct NodeDashboardSource: DashboardSource {
    let overviews: OverviewSource
    let peerReports: PeerReports
    var pool: NIOThreadPool = .singleton

    private var store: KiemStore { overviews.replicator.store }

    func overview(filter: OverviewFilter, stalledAfterDays: Int) async throws -> Overview {
        try await overviews.overview(filter: filter, stalledAfterDays: stalledAfterDays)
    }

    func peers() -> [Kiem_V1_Peer] {
        peerReports.all()
    }

    func portfolio() async throws -> [PortfolioEntry] {
        let store = self.store
        return try await pool.runIfActive { try store.portfolio() }
    }

    func initiative(_ id: InitiativeID) async throws -> InitiativeDocument? {
        let store = self.store
        // The portfolio in memory has the parent and the children at hand.
        let (found, portfolio) = try await pool.runIfActive { (try store.initiative(id), try store.portfolio()) }
        guard let record = found else { return nil }
        let initiative = record.initiative
        return InitiativeDocument(
            initiative.proto, history: record.history.map { $0.proto(in: initiative) },
            parent: initiative.derivedFrom.flatMap { parent in portfolio.first { $0.id == parent } },
            children: portfolio.filter { $0.derivedFrom == id })
    }

    func search(_ text: String, limit: Int) async throws -> [InitiativeSummary] {
        let store = self.store
        return try await pool.runIfActive { try store.initiatives(matching: InitiativeQuery(text: text, limit: limit)) }
    }
}
