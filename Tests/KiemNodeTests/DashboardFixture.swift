import Foundation
import Hummingbird
import KiemConfiguration
import KiemCore
@testable import KiemDashboard
@testable import KiemNode
import KiemStore
import KiemTestSupport

/// A regie node whose store holds a known portfolio, written before the node
/// opens, with times relative to now so that stalls and activity weeks are
/// known:
///
/// | initiative | owner | phase | notes |
/// | --- | --- | --- | --- |
/// | robotica | uwv | pilot | created 200 days ago, progress 5 days ago; svb pilots it, rws adopted it (spread); the regie files it under werkagenda-2027, high priority |
/// | inkoop | svb | proven | derived from robotica, 10 days ago; the regie files it under werkagenda-2027 |
/// | stilstand | uwv | idea | created 200 days ago, nothing since: stalled |
/// | drones | rws | stopped | lessons learned, a `javascript:` link |
/// | script | uwv | experiment | a title with `<script>`, quotes and a comma |
/// | archived | rws | idea | archived: never covered |
///
/// The regie lists uwv-1 as a peer that is not running, so sync health has
/// one row, connecting.
struct DashboardFixture: Sendable {
    static let day: UInt64 = 86_400_000
    static let hour: UInt64 = 3_600_000
    static let scriptTitle = #"<script>alert("x")</script>, & co"#
    static let lessons = "Te duur voor de baten"

    let federation: TestFederation
    let node: KiemNode
    let robotica: InitiativeID
    let inkoop: InitiativeID
    let stilstand: InitiativeID
    let drones: InitiativeID
    let script: InitiativeID
    let archived: InitiativeID

    /// Seeds the store and opens the regie with `dashboard` (by default on a
    /// free loopback port).
    static func open(
        dashboard: (TestFederation) throws -> NodeConfiguration.Dashboard = { _ in
            NodeConfiguration.Dashboard(listen: .init(host: "127.0.0.1", port: try freeLoopbackPort()))
        }
    ) async throws -> DashboardFixture {
        let federation = try TestFederation("kiem-dashboard")
        var configuration = try federation.configuration("regie", "regie-1", peers: [
            .init(address: .init(host: "127.0.0.1", port: 1), organisation: try OrganisationID("uwv"), node: try NodeID("uwv-1")),
        ])
        configuration.role = .regie
        configuration.dashboard = try dashboard(federation)

        let now = Replicator.wallMillis()
        var uwv = SimulatedNode("uwv-1", organisation: "uwv", wallMillis: now - 200 * day - hour)
        var svb = SimulatedNode("svb-1", organisation: "svb", wallMillis: now - 10 * day)
        var rws = SimulatedNode("rws-1", organisation: "rws", wallMillis: now - 8 * day)
        let robotica = uwv.create(InitiativeDraft(
            title: "Robotisering bezwaar", summary: "Software-robots verwerken standaardbezwaren",
            phase: PhaseValue(.pilot), themes: ["ai", "robotica"]))
        let stilstand = uwv.create(InitiativeDraft(title: "Stilstaand datameer", phase: PhaseValue(.idea), themes: ["data"]))
        uwv.advance(millis: 195 * day)
        let progress = uwv.logProgress(robotica.initiative, ProgressEntry(date: "2026-01-05", text: "Doorlooptijd 12 → 4 dagen",
                                                                        metrics: ["dagen": 4]))
        uwv.advance(millis: 2 * day)
        let script = uwv.create(InitiativeDraft(title: scriptTitle, phase: PhaseValue(.experiment), themes: ["ai"]))

        svb.receive([robotica])
        let inkoop = svb.create(InitiativeDraft(
            title: "Slim inkopen met AI", phase: PhaseValue(.proven), themes: ["ai", "inkoop"], derivedFrom: robotica.initiative))
        let svbPilots = svb.adopt(robotica.initiative, .piloting, note: "pilot in Amsterdam")

        rws.receive([robotica])
        let rwsAdopts = rws.adopt(robotica.initiative, .adopted)
        let drones = rws.create(InitiativeDraft(title: "Drones voor dijkinspectie", themes: ["drones"],
                                                links: ["javascript:alert(1)"]))
        let stop = rws.setPhase(drones.initiative, PhaseValue(.stopped, lessonsLearned: lessons))
        let archived = rws.create(InitiativeDraft(title: "Oud archief"))
        let archive = rws.setArchived(archived.initiative, true)

        // Another node of the regie's organisation, so that the regie's own
        // log starts when it opens.
        var regie = SimulatedNode("regie-2", organisation: "regie", wallMillis: now - 2 * day)
        let priority = regie.annotate(robotica.initiative, Annotation(label: "werkagenda-2027", priority: .high, note: "Opschalen"))
        let filed = regie.annotate(inkoop.initiative, Annotation(label: "werkagenda-2027"))

        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try KiemStore.open(path: configuration.storePath)
        let outcome = try store.apply([robotica, stilstand, progress, script, inkoop, svbPilots, rwsAdopts, drones, stop, archived, archive,
                                       priority, filed])
        try store.close()
        precondition(outcome.rejected.isEmpty && outcome.held.isEmpty, "the fixture breaks a rule: \(outcome)")

        return DashboardFixture(
            federation: federation, node: try await federation.open(configuration), robotica: robotica.initiative,
            inkoop: inkoop.initiative, stilstand: stilstand.initiative, drones: drones.initiative, script: script.initiative,
            archived: archived.initiative)
    }

    /// The folder holding Package.swift.
    static let packageRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/", !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }()

    /// The dashboard's routes with their middleware.
    var router: Router<BasicRequestContext> { node.dashboard!.router() }
}
