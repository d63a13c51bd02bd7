import Hummingbird
import KiemCore
import KiemStore

/// The regie dashboard's routes over this node's replica, read-only:
///
/// | route | answer |
/// | --- | --- |
/// | `/` | the overview page (filters: `theme`, `org`, `since`, `stalled`) |
/// | `/initiatives/{id}` | an initiative's page |
/// | `/search?q=…` | full-text search |
/// | `/api/overview` | the overview as JSON (same filters) |
/// | `/api/initiatives/{id}` | an initiative as JSON |
/// | `/export/initiatives.csv` | the covered initiatives as CSV (same filters) |
///
/// Everything comes from a ``DashboardSource`` (the node's: its overview,
/// its peers' reports, its store): what `kiemctl` shows.
package struct Dashboard: Sendable {
    let source: any DashboardSource
    /// The serving node, named in the page footer and the JSON.
    let node: String

    /// The dashboard of `node` over `source`.
    package init(source: any DashboardSource, node: String) {
        self.source = source
        self.node = node
    }

    /// Adds the routes to `router`.
    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in
            let query = try OverviewQuery(query: request.uri.query)
            return Response.html(OverviewPage(
                overview: try await overview(query), query: query, peers: peerHealth(), node: node).html)
        }
        router.get("/initiatives/{id}") { _, context in
            Response.html(InitiativePage(document: try await document(context), node: node).html)
        }
        router.get("/search") { request, _ in
            let text = OverviewQuery.parameters(request.uri.query).first { $0.name == "q" }?.value ?? ""
            return Response.html(SearchPage(text: text, results: try await search(text), node: node).html)
        }
        router.get("/api/overview") { request, _ in
            let query = try OverviewQuery(query: request.uri.query)
            return try Response.json(OverviewDocument(try await overview(query), query: query, node: node, peers: peerHealth()))
        }
        router.get("/api/initiatives/{id}") { _, context in
            try Response.json(try await document(context))
        }
        router.get("/export/initiatives.csv") { request, _ in
            let query = try OverviewQuery(query: request.uri.query)
            let overview = try await overview(query)
            let entries = try await source.portfolio().filter(query.filter.includes)
            return Response.csv(PortfolioCSV(entries: entries, overview: overview).text, filename: "initiatives.csv")
        }
    }

    private func overview(_ query: OverviewQuery) async throws -> Overview {
        try await source.overview(filter: query.filter, stalledAfterDays: query.stalledAfterDays)
    }

    private func peerHealth() -> [PeerHealth] {
        source.peers().map(PeerHealth.init)
    }

    /// The initiative the route's `{id}` names, with its lineage both ways.
    /// - Throws: ``DashboardError/notFound(_:)`` for an id this node does
    ///   not hold (or that is no id).
    private func document(_ context: BasicRequestContext) async throws -> InitiativeDocument {
        let text = context.parameters.get("id") ?? ""
        let missing = DashboardError.notFound("no initiative \(text) on this node")
        guard let id = try? InitiativeID(text), let document = try await source.initiative(id) else { throw missing }
        return document
    }

    private func search(_ text: String) async throws -> [InitiativeSummary] {
        guard !text.allSatisfy(\.isWhitespace) else { return [] }
        return try await source.search(text, limit: SearchPage.limit)
    }
}
