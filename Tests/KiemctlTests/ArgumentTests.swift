import ArgumentParser
import KiemCore
@testable import kiemctl
import KiemProtocol
import Testing

@Suite("Command-line values")
struct ArgumentTests {
    static let id = "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA"

    @Test("metrics: name=value with an optional unit after the number", arguments: [
        ("users=1200", "users", 1200.0, ""),
        ("savings=3.5MEUR", "savings", 3.5, "MEUR"),
        ("wait = -2 days", "wait", -2.0, "days"),
        ("uptime=99.5%", "uptime", 99.5, "%"),
        ("big=1e6", "big", 1_000_000.0, ""),
        ("energy=5eur", "energy", 5.0, "eur"),
    ])
    func metric(text: String, name: String, value: Double, unit: String) throws {
        let metric = try MetricArgument.parse(text)
        #expect(metric.name == name)
        #expect(metric.value == value)
        #expect(metric.unit == unit)
    }

    @Test("a metric without a name, an = or a leading number is refused", arguments: ["users", "=5", "users=", "users=many", "x=nan", "x=inf"])
    func badMetric(text: String) {
        #expect(throws: ValidationError.self) { try MetricArgument.parse(text) }
    }

    @Test("metrics print whole numbers without a fraction, and the unit after a space")
    func describeMetric() {
        #expect(MetricArgument.describe(.init(name: "users", value: 1200, unit: "")) == "users=1200")
        #expect(MetricArgument.describe(.init(name: "savings", value: 3.5, unit: "MEUR")) == "savings=3.5 MEUR")
    }

    @Test("links: a URL, then optionally a space and a title")
    func link() throws {
        let titled = try LinkArgument.parse("https://example.nl/rapport.pdf Evaluatie pilot")
        #expect(titled.url == "https://example.nl/rapport.pdf")
        #expect(titled.title == "Evaluatie pilot")
        #expect(try LinkArgument.parse("https://example.nl").title == "")
        #expect(throws: ValidationError.self) { try LinkArgument.parse("not a url") }
    }

    @Test("phase and status names map to the protobuf enums and back")
    func enumNames() {
        for phase in Phase.allCases {
            #expect(Kiem_V1_Phase(phase).name == phase.description)
        }
        #expect(Kiem_V1_Phase(.pilot) == .pilot)
        #expect(Kiem_V1_AdoptionStatus(.piloting) == .piloting)
        #expect(Kiem_V1_AdoptionStatus.dropped.name == "dropped")
        #expect(Kiem_V1_PeerState.backoff.name == "backoff")
        #expect(Kiem_V1_NodeRole.regie.name == "regie")
    }

    @Test("an unknown phase or status is a usage error that lists the valid names")
    func unknownNames() {
        let phase = #expect(throws: (any Error).self) { try InitiativePhaseCommand.parse([Self.id, "finished"]) }
        let phaseMessage = phase.map { InitiativePhaseCommand.message(for: $0) } ?? ""
        #expect(InitiativePhaseCommand.exitCode(for: phase!) == .validationFailure)
        #expect(phaseMessage.contains("finished") && phaseMessage.contains("idea") && phaseMessage.contains("stopped"), "\(phaseMessage)")

        let status = #expect(throws: (any Error).self) { try InitiativeAdoptCommand.parse([Self.id, "--status", "maybe"]) }
        let statusMessage = status.map { InitiativeAdoptCommand.message(for: $0) } ?? ""
        #expect(statusMessage.contains("exploring") && statusMessage.contains("dropped"), "\(statusMessage)")
    }

    @Test("stopped needs lessons; lessons need stopped; ids, dates and limits are checked before connecting")
    func validation() throws {
        #expect(throws: (any Error).self) { try InitiativePhaseCommand.parse([Self.id, "stopped"]) }
        #expect(throws: (any Error).self) { try InitiativePhaseCommand.parse([Self.id, "stopped", "--lessons", "  "]) }
        #expect(throws: (any Error).self) { try InitiativePhaseCommand.parse([Self.id, "pilot", "--lessons", "x"]) }
        let stopped = try InitiativePhaseCommand.parse([Self.id, "stopped", "--lessons", "Te weinig gebruikers"])
        #expect(stopped.phase == .stopped)

        #expect(throws: (any Error).self) { try InitiativeShowCommand.parse(["not-an-id"]) }
        #expect(throws: (any Error).self) { try InitiativeProgressCommand.parse([Self.id, "--text", "x", "--date", "1-2-3"]) }
        #expect(throws: (any Error).self) { try InitiativeProgressCommand.parse([Self.id, "--text", "x", "--metric", "users"]) }
        #expect(throws: (any Error).self) { try InitiativeListCommand.parse(["--limit", "0"]) }
        #expect(throws: (any Error).self) { try InitiativeEditCommand.parse([Self.id]) }
        #expect(throws: (any Error).self) { try PeersAddCommand.parse(["no-port", "--node", "svb-1", "--org", "svb"]) }
        #expect(InitiativeProgressCommand.isCalendarDate("2026-03-01"))
        #expect(!InitiativeProgressCommand.isCalendarDate("2026-13-01"))
        #expect(!InitiativeProgressCommand.isCalendarDate("+026-03-01"))
    }

    @Test("list filters become one value per filter; search orders by relevance")
    func filters() throws {
        let list = try InitiativeListCommand.parse(["--phase", "proven", "--theme", "ai", "--owner", "uwv", "--adopted-by", "svb", "--limit", "5"])
        let request = list.filters.request()
        #expect(request.phases == [.proven])
        #expect(request.themes == ["ai"])
        #expect(request.owners == ["uwv"])
        #expect(request.adoptedBy == ["svb"])
        #expect(request.pageSize == 5)
        #expect(!request.includeArchived)
        let search = try InitiativeSearchCommand.parse(["chatbot", "--archived"])
        #expect(search.filters.request(text: search.text).order == .relevance)
        #expect(search.filters.request(text: search.text).includeArchived)
    }
}
