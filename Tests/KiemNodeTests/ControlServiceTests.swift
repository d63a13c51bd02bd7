import Foundation
import KiemClient
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import KiemTestSupport
import KiemTransport
import KiemWire
import SwiftProtobuf
import Testing

/// The Control API over each node's real Unix domain socket.
@Suite("control API on the node's socket")
struct ControlServiceTests {
    private func control<T: Sendable>(_ node: KiemNode, _ body: (ControlClient) async throws -> T) async throws -> T {
        try await ControlClient.withConnection(socket: node.configuration.controlSocketPath, body)
    }

    private func expectStatus(_ code: StatusCode, _ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            Issue.record("expected \(code), the call succeeded")
            return nil
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)")
            return error
        } catch {
            Issue.record("expected \(code), got \(error)")
            return nil
        }
    }

    @Test("status: identity, counts, digest, vector and peers; the socket is 0600 and kiemd.pid names the process")
    func status() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        let mode = try FileManager.default.attributesOfItem(atPath: uwv.configuration.controlSocketPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let pid = try String(contentsOfFile: uwv.configuration.pidPath, encoding: .utf8)
        #expect(pid == "\(getpid())\n")
        try await running([uwv, svb]) {
            _ = try await uwv.create(.sample("Procesmining bezwaar"))
            try await waitForConvergence([uwv, svb])
            try await waitUntil("svb's session", nodes: [svb]) { !svb.connectedPeers.isEmpty }
            let status = try await control(svb) { try await $0.call(ControlAPI.status, Kiem_V1_StatusRequest()) }
            #expect(status.nodeID == "svb-1")
            #expect(status.organisation == "svb")
            #expect(status.role == .agency)
            #expect(status.initiativeCount == 1)
            #expect(status.opCount == 1)
            #expect(status.stateDigest == (try uwv.digest()))
            #expect(try VersionVector(proto: status.versionVector) == uwv.versionVector)
            #expect(status.peers.map(\.nodeID) == ["uwv-1"])
            #expect(status.peers.first?.state == .connected)
            #expect(status.peers.first?.lagOps == 0)
            #expect(status.peers.first?.lastSyncedMillis ?? 0 > 0)
            // uwv did not dial svb: svb shows up as an inbound session.
            let uwvStatus = try await control(uwv) { try await $0.call(ControlAPI.status, Kiem_V1_StatusRequest()) }
            #expect(uwvStatus.peers.map(\.nodeID) == ["svb-1"])
            #expect(uwvStatus.peers.first?.address == "")
        }
        #expect(!FileManager.default.fileExists(atPath: uwv.configuration.pidPath))
        #expect(!FileManager.default.fileExists(atPath: uwv.configuration.controlSocketPath))
    }

    @Test("initiative writes and reads: create, edit, phase, progress, adopt, endorse, archive, query, get with history")
    func initiatives() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        try await running([uwv, svb]) {
            let created = try await control(uwv) { control in
                try await control.call(ControlAPI.createInitiative, Kiem_V1_CreateInitiativeRequest.with {
                    $0.title = "Veilig data delen met MPC"
                    $0.summary = "Multi-party computation tussen uwv en svb"
                    $0.themes = ["mpc", "data"]
                    $0.phase = .pilot
                    $0.contact = "mpc@uwv.example"
                })
            }
            let id = created.initiative.id
            #expect(created.initiative.owner == "uwv")
            #expect(created.initiative.phase.phase == .pilot)
            #expect(created.initiative.themes == ["data", "mpc"])
            try await control(uwv) { control in
                let edited = try await control.call(ControlAPI.editInitiative, Kiem_V1_EditInitiativeRequest.with {
                    $0.id = id
                    $0.summary = "MPC voor inkomensgegevens"
                    $0.addThemes = ["privacy"]
                    $0.removeThemes = ["data"]
                })
                #expect(edited.initiative.summary.value == "MPC voor inkomensgegevens")
                #expect(edited.initiative.themes == ["mpc", "privacy"])
                let stopped = await expectStatus(.invalidArgument) {
                    _ = try await control.call(ControlAPI.setPhase, Kiem_V1_SetPhaseRequest.with { $0.id = id; $0.phase = .stopped })
                }
                #expect(stopped?.message == "stopping an initiative needs a lessons-learned text")
                let proven = try await control.call(ControlAPI.setPhase, Kiem_V1_SetPhaseRequest.with { $0.id = id; $0.phase = .proven })
                #expect(proven.initiative.phase.phase == .proven)
                let logged = try await control.call(ControlAPI.logProgress, Kiem_V1_LogProgressRequest.with {
                    $0.id = id
                    $0.date = "2026-11-30"
                    $0.text = "Eerste berekening op echte data"
                    $0.metrics = [Kiem_V1_Metric.with { $0.name = "doorlooptijd"; $0.value = 12; $0.unit = "dagen" }]
                })
                #expect(logged.initiative.progress.map(\.text) == ["Eerste berekening op echte data"])
                #expect(logged.initiative.progress.first?.metrics.first?.name == "doorlooptijd (dagen)")
                _ = await expectStatus(.invalidArgument) {
                    _ = try await control.call(ControlAPI.logProgress, Kiem_V1_LogProgressRequest.with {
                        $0.id = id; $0.date = "2026-02-30"; $0.text = "x"
                    })
                }
                _ = await expectStatus(.notFound) {
                    _ = try await control.call(ControlAPI.archive, Kiem_V1_ArchiveRequest.with {
                        $0.id = "01JD0000000000000000000000"; $0.archived = true
                    })
                }
            }
            try await waitForConvergence([uwv, svb])
            try await control(svb) { control in
                let refused = await expectStatus(.permissionDenied) {
                    _ = try await control.call(ControlAPI.editInitiative, Kiem_V1_EditInitiativeRequest.with { $0.id = id; $0.title = "Van svb" })
                }
                #expect(refused?.message == "only uwv may edit this initiative")
                let adopted = try await control.call(ControlAPI.adopt, Kiem_V1_AdoptRequest.with {
                    $0.id = id; $0.status = .piloting; $0.note = "pilot bij svb"
                })
                #expect(adopted.initiative.adoptions.map(\.organisation) == ["svb"])
                #expect(adopted.initiative.adoptions.first?.status == .piloting)
                let endorsed = try await control.call(ControlAPI.endorse, Kiem_V1_EndorseRequest.with { $0.id = id; $0.endorsed = true })
                #expect(endorsed.initiative.endorsements.first?.endorsed == true)
                let derived = try await control.call(ControlAPI.createInitiative, Kiem_V1_CreateInitiativeRequest.with {
                    $0.title = "MPC voor AOW-gegevens"; $0.themes = ["mpc"]; $0.derivedFrom = id
                })
                #expect(derived.initiative.derivedFrom == id)
                #expect(derived.initiative.owner == "svb")

                let byTheme = try await control.call(ControlAPI.queryInitiatives, Kiem_V1_QueryInitiativesRequest.with { $0.themes = ["mpc"] })
                #expect(byTheme.totalCount == 2)
                let adoptedBySVB = try await control.call(ControlAPI.queryInitiatives, Kiem_V1_QueryInitiativesRequest.with {
                    $0.adoptedBy = ["svb"]
                })
                #expect(adoptedBySVB.initiatives.map(\.id) == [id])
                #expect(adoptedBySVB.initiatives.first?.adoptedBy == ["svb"])
                let searched = try await control.call(ControlAPI.queryInitiatives, Kiem_V1_QueryInitiativesRequest.with { $0.text = "inkomensgegevens" })
                #expect(searched.initiatives.map(\.title) == ["Veilig data delen met MPC"])
                let proven = try await control.call(ControlAPI.queryInitiatives, Kiem_V1_QueryInitiativesRequest.with {
                    $0.phases = [.proven]; $0.owners = ["uwv"]
                })
                #expect(proven.totalCount == 1)
                _ = await expectStatus(.invalidArgument) {
                    _ = try await control.call(ControlAPI.queryInitiatives, Kiem_V1_QueryInitiativesRequest.with { $0.themes = ["a", "b"] })
                }

                let shown = try await control.call(ControlAPI.getInitiative, Kiem_V1_GetInitiativeRequest.with {
                    $0.id = id; $0.includeHistory = true
                })
                #expect(shown.initiative.title.value == "Veilig data delen met MPC")
                let descriptions = shown.history.map(\.description_p)
                #expect(descriptions.first == "created \"Veilig data delen met MPC\" (pilot)")
                #expect(descriptions.contains("phase: proven"))
                #expect(descriptions.contains("adoption by svb: piloting"))
                #expect(shown.history.map(\.kind).contains(.progress))
                _ = await expectStatus(.notFound) {
                    _ = try await control.call(ControlAPI.getInitiative, Kiem_V1_GetInitiativeRequest.with { $0.id = "01JD0000000000000000000000" })
                }
                _ = await expectStatus(.invalidArgument) {
                    _ = try await control.call(ControlAPI.getInitiative, Kiem_V1_GetInitiativeRequest.with { $0.id = "not-an-id" })
                }
            }
            let archived = try await control(uwv) { control in
                try await control.call(ControlAPI.archive, Kiem_V1_ArchiveRequest.with { $0.id = id; $0.archived = true })
            }
            #expect(archived.initiative.archived)
        }
    }

    @Test("watch streams the changes that match its filter, local and remote, after the current state")
    func watch() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        try await running([uwv, svb]) {
            let first = try await uwv.create(.sample("Inspectiedrones", themes: ["robotica"]))
            try await waitForConvergence([uwv, svb])
            let request = Kiem_V1_WatchRequest.with {
                $0.themes = ["robotica"]
                $0.includeCurrent = true
            }
            let events = try await withDeadline(seconds: 30, "watch events") {
                try await control(svb) { control in
                    try await control.stream(ControlAPI.watch, request) { events in
                        var seen: [Kiem_V1_WatchEvent] = []
                        for try await event in events {
                            seen.append(event)
                            // The current state came first, so the feed follows
                            // the store from here on: write now.
                            if seen.count == 1 {
                                _ = try await uwv.create(.sample("Chatbot", themes: ["ai"]))
                                _ = try await uwv.create(.sample("Grasmaairobot", themes: ["robotica"]))
                            }
                            if seen.count == 2 { return seen }
                        }
                        return seen
                    }
                }
            }
            #expect(events.first?.initiativeID == first.description)
            #expect(events.first?.kind == .unspecified)
            #expect(events.last?.kind == .create)
            #expect(events.last?.remote == true)
            #expect(events.last?.summary.title == "Grasmaairobot")
            #expect(events.last?.summary.owner == "uwv")
        }
    }

    @Test("peers added and removed at runtime take effect at once and survive a restart")
    func runtimePeers() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svbConfiguration = try federation.configuration("svb", "svb-1")
        let svb = try await federation.open(svbConfiguration)
        let uwvAddress = "127.0.0.1:\(uwv.listenPort!)"
        try await running([uwv, svb]) {
            let added = try await control(svb) { control in
                try await control.call(ControlAPI.addPeer, Kiem_V1_AddPeerRequest.with {
                    $0.address = uwvAddress; $0.nodeID = "uwv-1"; $0.organisation = "uwv"
                })
            }
            #expect(added.addedAtRuntime)
            try await waitUntil("the added peer's session", nodes: [svb]) { svb.connectedPeers[try NodeID("uwv-1")] != nil }
            _ = try await uwv.create(.sample("Robotisering bezwaar"))
            try await waitForConvergence([uwv, svb])
            try await control(svb) { control in
                let twice = await expectStatus(.alreadyExists) {
                    _ = try await control.call(ControlAPI.addPeer, Kiem_V1_AddPeerRequest.with {
                        $0.address = uwvAddress; $0.nodeID = "uwv-1"; $0.organisation = "uwv"
                    })
                }
                #expect(twice?.message == "uwv-1 at \(uwvAddress) is a peer already")
                _ = await expectStatus(.invalidArgument) {
                    _ = try await control.call(ControlAPI.addPeer, Kiem_V1_AddPeerRequest.with { $0.address = "nohost"; $0.nodeID = "x1" })
                }
                let listed = try await control.call(ControlAPI.listPeers, Kiem_V1_ListPeersRequest())
                #expect(listed.peers.map(\.nodeID) == ["uwv-1"])
            }
        }
        // Reopened: the added peer is still dialled.
        let reopened = try await federation.open(svbConfiguration)
        let uwvAgain = try await federation.open(try federation.configuration("uwv", "uwv-1").with(listenPort: uwv.listenPort!))
        try await running([uwvAgain, reopened]) {
            try await waitUntil("the kept peer's session", nodes: [reopened]) { reopened.connectedPeers[try NodeID("uwv-1")] != nil }
            let removed = try await control(reopened) { control in
                try await control.call(ControlAPI.removePeer, Kiem_V1_RemovePeerRequest.with { $0.peer = "uwv-1" })
            }
            #expect(removed.removed)
            try await waitUntil("the removed peer's session to close", nodes: [reopened]) { reopened.connectedPeers.isEmpty }
            let again = try await control(reopened) { control in
                try await control.call(ControlAPI.removePeer, Kiem_V1_RemovePeerRequest.with { $0.peer = "uwv-1" })
            }
            #expect(!again.removed)
        }
        let last = try await federation.open(svbConfiguration)
        try await running([last]) {
            let listed = try await control(last) { try await $0.call(ControlAPI.listPeers, Kiem_V1_ListPeersRequest()) }
            #expect(listed.peers.isEmpty)
        }
    }

    @Test("sync runs one anti-entropy round per peer and reports it to the end")
    func sync() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        for index in 1...3 { _ = try await uwv.create(.sample("Initiatief \(index)")) }
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        try await running([uwv, svb]) {
            let reports = try await control(svb) { control in
                try await control.stream(ControlAPI.sync, Kiem_V1_SyncRequest()) { progress in
                    var reports: [Kiem_V1_SyncProgress] = []
                    for try await report in progress { reports.append(report) }
                    return reports
                }
            }
            #expect(reports.first?.stage == .connecting)
            #expect(reports.last?.stage == .done, "\(reports)")
            #expect(reports.last?.peer == "uwv-1")
            #expect(reports.map(\.stage).contains(.pulling))
            #expect(svb.versionVector == uwv.versionVector)
            let unknown = await expectStatus(.notFound) {
                try await control(svb) { control in
                    try await control.stream(ControlAPI.sync, Kiem_V1_SyncRequest.with { $0.peers = ["rws-1"] }) { progress in
                        for try await _ in progress {}
                    }
                }
            }
            #expect(unknown?.message.contains("rws-1 is not a peer") == true)
        }
    }

    @Test("overview: phases, funnel, themes, organisations, adoption, stopped with lessons, lineage and sync health of the replica")
    func overview() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        try await running([uwv, svb]) {
            let mpc = try await uwv.create(InitiativeDraft(title: "MPC", phase: PhaseValue(.proven), themes: ["mpc"]))
            let drones = try await uwv.create(InitiativeDraft(title: "Drones", phase: PhaseValue(.pilot), themes: ["robotica"]))
            try await uwv.write(.setPhase(PhaseValue(.stopped, lessonsLearned: "Te vroeg")), to: drones)
            try await waitForConvergence([uwv, svb])
            try await svb.write(.setAdoption(Adoption(status: .piloting)), to: mpc)
            let fork = try await svb.create(InitiativeDraft(title: "MPC bij svb", themes: ["mpc"], derivedFrom: mpc))
            try await waitForConvergence([uwv, svb])
            let response = try await control(svb) { control in
                try await control.call(ControlAPI.overview, Kiem_V1_OverviewRequest())
            }
            #expect(response.total == 3)
            #expect(response.byPhase.map(\.count) == [1, 0, 0, 1, 0, 1])
            #expect(response.funnel.map(\.reached) == [2, 1, 1, 1, 0])
            #expect(response.funnelStopped == 1)
            #expect(response.byTheme.map(\.theme) == ["mpc", "robotica"])
            #expect(response.byOrganisation.map(\.organisation) == ["svb", "uwv"] || response.byOrganisation.map(\.organisation) == ["uwv", "svb"])
            #expect(response.byOrganisation.first { $0.organisation == "svb" }?.adopting == 1)
            #expect(response.adopted.map(\.initiative.id) == [mpc.description])
            #expect(response.adoption.isEmpty, "one adopter is no spread")
            #expect(response.stopped.map(\.lessonsLearned) == ["Te vroeg"])
            #expect(response.lineage.map { $0.nodes.map(\.initiative.id) } == [[mpc.description, fork.description]])
            #expect(response.stalled.isEmpty)
            #expect(response.syncHealth.map(\.nodeID) == ["uwv-1"])
            #expect(response.stalledAfterDays == 90)
            let filtered = try await control(svb) { control in
                try await control.call(ControlAPI.overview, Kiem_V1_OverviewRequest.with { $0.themes = ["robotica"]; $0.owners = ["uwv"] })
            }
            #expect(filtered.total == 1)
            _ = await expectStatus(.invalidArgument) {
                _ = try await control(svb) { control in
                    try await control.call(ControlAPI.overview, Kiem_V1_OverviewRequest.with { $0.since = "gisteren" })
                }
            }

            // Lists of initiatives keep their first list_limit items and say how many there are.
            #expect(response.lineageTotal == 1 && response.adoptedTotal == 1 && response.stoppedTotal == 1)
            let trees = try await uwv.create(InitiativeDraft(title: "Tweede boom", themes: ["mpc"]))
            _ = try await uwv.create(InitiativeDraft(title: "Uit de tweede boom", derivedFrom: trees))
            try await waitForConvergence([uwv, svb])
            let limited = try await control(svb) { control in
                try await control.call(ControlAPI.overview, Kiem_V1_OverviewRequest.with { $0.listLimit = 1 })
            }
            #expect(limited.lineageTotal == 2 && limited.lineage.count == 1)
            #expect(limited.lineage.first?.nodes.first?.initiative.id == mpc.description, "the first tree in order")
            _ = await expectStatus(.invalidArgument) {
                _ = try await control(svb) { control in
                    try await control.call(ControlAPI.overview, Kiem_V1_OverviewRequest.with { $0.listLimit = 1_001 })
                }
            }
        }
    }

    @Test("a regie node annotates and endorses but creates, edits and adopts nothing, with the reason in words")
    func regieOnlyAnnotatesAndEndorses() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        var configuration = try federation.configuration("regie", "regie-1", peers: [try TestFederation.peer(uwv)])
        configuration.role = .regie
        configuration.dashboard.enabled = false
        let regie = try await federation.open(configuration)
        try await running([uwv, regie]) {
            let id = try await uwv.create(.sample("Procesmining"))
            try await waitForConvergence([uwv, regie])
            let before = regie.versionVector
            try await control(regie) { control in
                let created = await expectStatus(.permissionDenied) {
                    _ = try await control.call(ControlAPI.createInitiative, Kiem_V1_CreateInitiativeRequest.with { $0.title = "Eigen werk" })
                }
                #expect(created?.message == "a regie node only annotates and endorses initiatives; regie cannot create, edit or adopt them")
                _ = await expectStatus(.permissionDenied) {
                    _ = try await control.call(ControlAPI.adopt, Kiem_V1_AdoptRequest.with { $0.id = id.description; $0.status = .piloting })
                }
                #expect(regie.versionVector == before, "nothing was written")
                let endorsed = try await control.call(ControlAPI.endorse, Kiem_V1_EndorseRequest.with {
                    $0.id = id.description; $0.endorsed = true; $0.note = "rijksbreed opschalen"
                })
                #expect(endorsed.initiative.endorsements.map(\.organisation) == ["regie"])
                let annotated = try await control.call(ControlAPI.annotate, Kiem_V1_AnnotateRequest.with {
                    $0.id = id.description; $0.label = "werkagenda-2027"; $0.priority = .high
                })
                #expect(annotated.initiative.annotations.map(\.label) == ["werkagenda-2027"])
                let badLabel = await expectStatus(.invalidArgument) {
                    _ = try await control.call(ControlAPI.annotate, Kiem_V1_AnnotateRequest.with {
                        $0.id = id.description; $0.label = "Werkagenda 2027"
                    })
                }
                #expect(badLabel?.message == "label 'Werkagenda 2027' must be 1 to 40 lowercase letters, digits or '-'")
            }
            // The annotation reaches the owner's node: the regie's portfolio
            // is visible to the agency, and changes nothing of its own.
            try await waitForConvergence([uwv, regie])
            let atOwner = try #require(try uwv.store.initiativeState(id))
            #expect(atOwner.currentAnnotations == [regie.configuration.organisation: Annotation(label: "werkagenda-2027", priority: .high)])
            #expect(atOwner.title == "Procesmining")
        }
    }

    @Test("no daemon on the socket is reported as unreachable, naming the path")
    func unreachable() async throws {
        let path = try TestPKI.temporaryDirectory("kiem-control").appendingPathComponent("kiemd.sock").path
        await #expect(throws: ControlClientError.unreachable(socket: path, reason: "no socket at \(path)")) {
            try await ControlClient.withConnection(socket: path) { _ in }
        }
    }
}

extension NodeConfiguration {
    /// The same node listening on a fixed port (to come back where peers expect it).
    func with(listenPort: Int) -> NodeConfiguration {
        var copy = self
        copy.listen = Address(host: "127.0.0.1", port: listenPort)
        return copy
    }
}
