import Foundation
import Hummingbird
import HummingbirdTesting
import KiemCore
@testable import KiemDashboard
@testable import KiemNode
import Testing

/// Every dashboard route, through Hummingbird's test client, on a regie
/// whose replica holds ``DashboardFixture``'s portfolio.
@Suite("dashboard routes")
struct DashboardRouteTests {
    /// Runs `body` with a client of the fixture's dashboard.
    private func withDashboard(_ body: @escaping @Sendable (DashboardFixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await DashboardFixture.open()
        try await Application(router: fixture.router).test(.router) { client in try await body(fixture, client) }
    }

    private func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [:], body: nil)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(String(buffer: response.body).utf8))
    }

    @Test("/ shows the headline numbers, four SVG charts and every table; all text escaped")
    func overviewPage() async throws {
        try await withDashboard { fixture, client in
            let response = try await get(client, "/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let html = String(buffer: response.body)
            #expect(html.components(separatedBy: "<svg ").count - 1 == 4, "\(html)")
            for (number, label) in [(5, "initiatives"), (2, "in pilot or further"), (1, "proven or scaling"),
                                    (1, "taken up by 2+ others"), (1, "stalled 90+ days"), (1, "stopped")] {
                #expect(html.contains("<li><strong>\(number)</strong>\(label)</li>"), "\(label)")
            }
            #expect(!html.contains("<script"), "a title was not escaped")
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, &amp; co"))
            #expect(html.contains("<h2>Stalled work</h2>"))
            #expect(html.contains("<td class=\"n\">200</td>"), "stilstand has stood still 200 days")
            #expect(html.contains(DashboardFixture.lessons))
            #expect(html.contains("rws (adopted), svb (piloting)"))
            #expect(html.contains("<td>uwv-1</td><td>uwv</td><td>connecting</td><td>never</td><td>never</td><td class=\"n\">13</td>"))
            #expect(html.contains("href=\"/initiatives/\(fixture.robotica)\""))
            #expect(!html.contains("Oud archief"), "archived initiatives are not covered")
            #expect(html.contains("<h2>Portfolio labels</h2>"))
            #expect(html.contains("<td><a href=\"/?label=werkagenda-2027\">werkagenda-2027</a></td><td>regie</td>"))
            #expect(html.contains("<h2>High priority</h2>"))
            #expect(html.contains("<td>regie</td><td>werkagenda-2027</td><td class=\"n\">5</td><td>Opschalen</td>"),
                    "robotica, marked by the regie, last moved (progress) 5 days ago")
        }
    }

    @Test("/api/overview: the same numbers as JSON, with the same filters")
    func overviewAPI() async throws {
        try await withDashboard { fixture, client in
            let response = try await get(client, "/api/overview")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let overview = try decode(OverviewDocument.self, response)
            #expect(overview.node == "regie-1")
            #expect(overview.total == 5)
            let phases = overview.byPhase
            let counts: [Int] = [phases.idea, phases.experiment, phases.pilot, phases.proven, phases.scaling, phases.stopped]
            #expect(counts == [1, 1, 1, 1, 0, 1])
            var labelled = overview.byPhase
            (labelled.idea, labelled.experiment, labelled.pilot, labelled.proven, labelled.scaling, labelled.stopped) = (0, 0, 1, 1, 0, 0)
            #expect(overview.funnel.stages.map(\.reached) == [4, 3, 2, 1, 0])
            #expect(overview.adoptionSpread.map(\.initiative.id) == [fixture.robotica.description])
            #expect(overview.adoptionSpread.first?.adopters.map(\.organisation) == ["rws", "svb"])
            #expect(overview.lineage.map { $0.nodes.map(\.initiative.id) } == [[fixture.robotica.description, fixture.inkoop.description]])
            #expect(overview.stalled.map(\.initiative.id) == [fixture.stilstand.description])
            #expect(overview.stalled.map(\.daysSinceMovement) == [200])
            #expect(overview.stopped.map(\.lessonsLearned) == [DashboardFixture.lessons])
            #expect(overview.recent.map(\.id) == [fixture.inkoop, fixture.robotica, fixture.script, fixture.drones, fixture.stilstand].map(\.description),
                    "the regie's annotations two days ago are the newest changes")
            #expect(overview.activity.count == 12)
            #expect(overview.syncHealth.map(\.node) == ["uwv-1"])
            #expect(String(buffer: response.body).contains("\"adoptionSpread\" : ["), "camelCase keys")

            let filtered = try decode(OverviewDocument.self, try await get(client, "/api/overview?theme=inkoop,robotica&stalled=7"))
            #expect(filtered.total == 2)
            #expect(filtered.filter == .init(themes: ["inkoop", "robotica"], organisations: [], labels: [], since: nil, stalledAfterDays: 7))
            #expect(filtered.stalled.map(\.initiative.id) == [fixture.inkoop.description], "inkoop has not moved for 10 days")
            #expect(overview.labels == [.init(organisation: "regie", label: "werkagenda-2027", byPhase: labelled, highPriority: 1)])
            #expect(overview.prioritised.map(\.initiative.id) == [fixture.robotica.description])
            #expect(overview.prioritised.first?.markedBy == "regie" && overview.prioritised.first?.note == "Opschalen")
            let byLabel = try decode(OverviewDocument.self, try await get(client, "/api/overview?label=werkagenda-2027"))
            #expect(Set(byLabel.recent.map(\.id)) == [fixture.robotica.description, fixture.inkoop.description])
            #expect(byLabel.filter.labels == ["werkagenda-2027"])
            let owned = try decode(OverviewDocument.self, try await get(client, "/api/overview?org=rws&org=svb"))
            #expect(owned.total == 2)
            let today = DisplayTime.day(Date())
            let recent = try decode(OverviewDocument.self, try await get(client, "/api/overview?since=\(today)"))
            #expect(recent.total == 0, "nothing changed today")
        }
    }

    @Test("a bad filter is a 400 that says what is wrong: a page, or JSON under /api/")
    func badFilters() async throws {
        try await withDashboard { _, client in
            for (uri, message) in [
                ("/?since=2026-02-30", "since &quot;2026-02-30&quot; is not a date as YYYY-MM-DD"),
                ("/?org=UWV", "org &quot;UWV&quot; is not an organisation id"),
                ("/?stalled=lots", "stalled &quot;lots&quot; is not a number of days"),
                ("/export/initiatives.csv?colour=blue", "&quot;colour&quot; is not a filter; use theme, org, label, since, stalled"),
            ] {
                let response = try await get(client, uri)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains(message), "\(uri): \(String(buffer: response.body))")
            }
            let response = try await get(client, "/api/overview?stalled=-1")
            #expect(response.status == .badRequest)
            #expect(try decode([String: String].self, response)["error"]?.contains("stalled \"-1\"") == true)
        }
    }

    @Test("/initiatives/{id}: fields, adopters, lineage both ways, progress and history")
    func initiativePage() async throws {
        try await withDashboard { fixture, client in
            let response = try await get(client, "/initiatives/\(fixture.robotica)")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            #expect(html.contains("<h1>Robotisering bezwaar</h1>"))
            #expect(html.contains("<td>svb</td><td>piloting</td>"))
            #expect(html.contains("pilot in Amsterdam"))
            #expect(html.contains("<td>rws</td><td>adopted</td>"))
            #expect(html.contains("Derived from it:"))
            #expect(html.contains("href=\"/initiatives/\(fixture.inkoop)\">Slim inkopen met AI</a>"))
            #expect(html.contains("Doorlooptijd 12 → 4 dagen"))
            #expect(html.contains("dagen 4"))
            #expect(html.contains("created &quot;Robotisering bezwaar&quot; (pilot)"))
            #expect(html.contains("adoption by svb: piloting"))
            #expect(html.contains("<h2>Portfolio annotations</h2>"))
            #expect(html.contains("<td>regie</td><td><a href=\"/?label=werkagenda-2027\">werkagenda-2027</a></td><td>high</td>"))
            #expect(html.contains("annotated by regie: label werkagenda-2027, priority high"))

            let child = String(buffer: try await get(client, "/initiatives/\(fixture.inkoop)").body)
            #expect(child.contains("Derived from <a href=\"/initiatives/\(fixture.robotica)\">Robotisering bezwaar</a> (uwv, pilot)"))

            let stopped = String(buffer: try await get(client, "/initiatives/\(fixture.drones)").body)
            #expect(stopped.contains(DashboardFixture.lessons))
            #expect(!stopped.contains("href=\"javascript:"), "a javascript: link must not be clickable")
            #expect(stopped.contains("javascript:alert(1)"))

            let script = String(buffer: try await get(client, "/initiatives/\(fixture.script)").body)
            #expect(!script.contains("<script"))
        }
    }

    @Test("/api/initiatives/{id}: the initiative as JSON")
    func initiativeAPI() async throws {
        try await withDashboard { fixture, client in
            let response = try await get(client, "/api/initiatives/\(fixture.robotica)")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let document = try decode(InitiativeDocument.self, response)
            #expect(document.id == fixture.robotica.description)
            #expect(document.title.value == "Robotisering bezwaar")
            #expect(document.phase.phase == "pilot")
            #expect(document.adoptions.map { "\($0.organisation):\($0.status)" } == ["rws:adopted", "svb:piloting"])
            #expect(document.children.map(\.id) == [fixture.inkoop.description])
            #expect(document.children.first?.title == "Slim inkopen met AI")
            #expect(document.progress.map(\.text) == ["Doorlooptijd 12 → 4 dagen"])
            #expect(document.history.map(\.kind) == ["create", "adoption", "adoption", "progress", "annotation"], "by time")
            #expect(document.annotations == [.init(organisation: "regie", label: "werkagenda-2027", priority: "high", note: "Opschalen",
                                                  written: document.annotations.first!.written)])
            let child = try decode(InitiativeDocument.self, try await get(client, "/api/initiatives/\(fixture.inkoop)"))
            #expect(child.derivedFrom?.id == fixture.robotica.description)
            #expect(child.derivedFrom?.owner == "uwv")
        }
    }

    @Test("unknown ids and paths are 404s: a page, or JSON under /api/")
    func notFound() async throws {
        try await withDashboard { fixture, client in
            let unknown = InitiativeID(timestamp: HLCTimestamp(wallMillis: 1_000, logical: 0), nodeHash: 7)
            for uri in ["/initiatives/\(unknown)", "/initiatives/not-an-id", "/no/such/page"] {
                let response = try await get(client, uri)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("<h1>404 Not Found</h1>"))
            }
            let response = try await get(client, "/api/initiatives/\(unknown)")
            #expect(response.status == .notFound)
            #expect(try decode([String: String].self, response) == ["error": "no initiative \(unknown) on this node"])
            #expect(try await get(client, "/initiatives/\(fixture.archived)").status == .ok, "an archived initiative still has its page")
        }
    }

    @Test("/search: full-text results with links; the query is escaped; an empty query shows the form")
    func search() async throws {
        try await withDashboard { fixture, client in
            let response = try await get(client, "/search?q=robot")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            #expect(html.contains("1 initiative matches “robot”"))
            #expect(html.contains("href=\"/initiatives/\(fixture.robotica)\""))
            #expect(html.contains("value=\"robot\""), "the search box keeps the query")

            let hostile = String(buffer: try await get(client, "/search?q=alert+%3Cscript%3E").body)
            #expect(!hostile.contains("<script"))
            #expect(hostile.contains("“alert &lt;script&gt;”"))
            let empty = String(buffer: try await get(client, "/search?q=").body)
            #expect(empty.contains("Type words from a title"))
        }
    }

    @Test("/export/initiatives.csv: one quoted row per covered initiative, as a download, with the filters")
    func export() async throws {
        try await withDashboard { fixture, client in
            let response = try await get(client, "/export/initiatives.csv")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8; header=present")
            #expect(response.headers[.contentDisposition] == "attachment; filename=\"initiatives.csv\"")
            let lines = String(buffer: response.body).components(separatedBy: "\r\n")
            #expect(lines.first == "id,title,owner,phase,themes,adopters,last_movement,stalled_days,annotations")
            #expect(lines.last == "", "every row ends in CRLF")
            #expect(lines.count == 1 + 5 + 1)
            let row = { (id: InitiativeID) in lines.first { $0.hasPrefix(id.description) } ?? "" }
            #expect(row(fixture.robotica).contains(",Robotisering bezwaar,uwv,pilot,ai;robotica,rws:adopted;svb:piloting,"))
            #expect(row(fixture.script).contains(#","<script>alert(""x"")</script>, & co",uwv,experiment,ai,,"#))
            #expect(row(fixture.stilstand).hasSuffix(",200,"), "stalled 200 days, no annotations")
            #expect(row(fixture.robotica).hasSuffix(",,regie:werkagenda-2027:high"), "not stalled: no days")

            let rws = String(buffer: try await get(client, "/export/initiatives.csv?org=rws").body)
            #expect(rws.components(separatedBy: "\r\n").count == 1 + 1 + 1)
            #expect(rws.contains("Drones voor dijkinspectie"))
        }
    }
}

/// The overview page of a large portfolio: tables of initiatives stop at
/// ``OverviewPage/rowLimit`` rows and point to the CSV export.
@Suite("dashboard overview page of a large portfolio")
struct LargeOverviewPageTests {
    @Test("150 stalled initiatives: the table shows 100 and says so")
    func tablesStopAtTheRowLimit() {
        let now: UInt64 = 1_796_126_400_000
        let owner = try! OrganisationID("uwv")
        let entries = (0..<150).map { number in
            let created = HLCTimestamp(wallMillis: now - 200 * 86_400_000 - UInt64(number), logical: 0)
            return PortfolioEntry(
                id: InitiativeID(timestamp: created, nodeHash: 7), owner: owner, title: "Stil \(number)", phase: .idea,
                createdAt: created, lastPhaseChange: created, lastChanged: created)
        }
        let overview = Overview.compute(entries, now: now)
        #expect(overview.stalled.count == 150)
        let html = "\(OverviewPage(overview: overview, query: OverviewQuery(), peers: [], node: "regie-1").html)"
        let stalled = html.components(separatedBy: "<h2>Stalled work</h2>")[1].components(separatedBy: "<h2>")[0]
        #expect(stalled.components(separatedBy: "<tr>").count - 1 == 1 + OverviewPage.rowLimit, "a header and 100 rows")
        #expect(stalled.contains("The first 100 of 150;"))
        #expect(stalled.contains("href=\"/export/initiatives.csv\""))
    }
}
