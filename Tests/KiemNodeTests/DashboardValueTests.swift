import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemDashboard
@testable import KiemNode
import Testing

/// The dashboard's small pure parts: reading filters from a query string,
/// quoting CSV fields, the configuration's defaults.
@Suite("dashboard values")
struct DashboardValueTests {
    @Test("filters: repeated and comma-separated values, + and %XX decoding, empty fields ignored")
    func filters() throws {
        let query = try OverviewQuery(query: "theme=ai%2C+mpc&theme=&org=uwv&org=svb,+rws&since=2026-01-31&stalled=30")
        #expect(query.filter.themes == ["ai", "mpc"])
        #expect(query.filter.owners == Set(try ["uwv", "svb", "rws"].map(OrganisationID.init)))
        #expect(query.filter.since == 1_769_817_600_000)
        #expect(query.since == "2026-01-31")
        #expect(query.stalledAfterDays == 30)
        #expect(query.queryString == "?theme=ai&theme=mpc&org=rws&org=svb&org=uwv&since=2026-01-31&stalled=30")
        #expect(try OverviewQuery(query: query.queryString.dropFirst().description) == query)
        #expect(try OverviewQuery(query: nil) == OverviewQuery())
        #expect(try OverviewQuery(query: "theme=&org=&since=&stalled=") == OverviewQuery())
        #expect(OverviewQuery().queryString == "")
        #expect(try OverviewQuery(query: "theme=a%20b%26c").queryString == "?theme=a%20b%26c")
    }

    @Test("dates must be real days as YYYY-MM-DD", arguments: [
        ("2024-02-29", true), ("2026-02-29", false), ("2026-13-01", false), ("2026-1-01", false),
        ("26-01-01", false), ("2026-01-01T00:00", false), ("１９７０-01-01", false), ("1969-12-31", false),
    ])
    func dates(day: String, valid: Bool) {
        #expect((OverviewQuery.startOfDay(day) != nil) == valid, "\(day)")
    }

    @Test("CSV fields are quoted only when they must be, with quotes doubled")
    func csvFields() {
        #expect(CSVField.encode("plain text") == "plain text")
        #expect(CSVField.encode("a,b") == "\"a,b\"")
        #expect(CSVField.encode(#"zei "ja""#) == #""zei ""ja""""#)
        #expect(CSVField.encode("two\nlines") == "\"two\nlines\"")
        #expect(CSVField.encode("crlf\r\nend") == "\"crlf\r\nend\"")
        #expect(CSVField.encode("") == "")
        #expect(CSVField.encode("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVField.encode("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVField.encode("-3") == "-3")
    }

    @Test("a regie serves the dashboard on localhost by default, an agency does not")
    func defaults() throws {
        let text = """
            organisation = "xy"
            node = "xy-1"
            data_dir = "d"
            [tls]
            key = "k"
            certificate = "c"
            ca = "a"

            """
        let agency = try NodeConfiguration.parse(toml: text, relativeTo: "/")
        #expect(agency.dashboard.enabled == false)
        let regie = try NodeConfiguration.parse(toml: "role = \"regie\"\n" + text, relativeTo: "/")
        #expect(regie.dashboard == .init(enabled: true, listen: .init(host: "127.0.0.1", port: 9480)))
        #expect(regie.dashboard.url == "http://127.0.0.1:9480/")
        #expect(try NodeConfiguration.parse(toml: regie.toml, relativeTo: "/") == regie)
        let agencyWithTable = try NodeConfiguration.parse(toml: text + "[dashboard]\nlisten = \"127.0.0.1:9500\"\n", relativeTo: "/")
        #expect(agencyWithTable.dashboard.enabled == false, "enabled still defaults by role")
        let agencyOn = try NodeConfiguration.parse(toml: text + "[dashboard]\nenabled = true\n", relativeTo: "/")
        #expect(agencyOn.dashboard.enabled)
        let example = DashboardFixture.packageRoot.appendingPathComponent("deploy/kiemd.example.toml").path
        #expect(try NodeConfiguration.load(file: example).dashboard == .init(enabled: false), "the example file parses")
        for (host, loopback) in [("127.0.0.1", true), ("127.9.8.7", true), ("localhost", true), ("::1", true),
                                 ("0.0.0.0", false), ("::", false), ("10.0.0.1", false), ("127.0.0.1.example", false)] {
            #expect(NodeConfiguration.Address(host: host, port: 1).isLoopback == loopback, "\(host)")
        }
    }
}
