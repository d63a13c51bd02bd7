import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemWire
import NIOPosix
import KiemStore
import KiemTestSupport
import Testing

@Suite("local writes, rules and refusals")
struct RulesAndRefusalTests {
    @Test("a write the store cannot take fails with the store's typed error, which the Control API reports as INTERNAL")
    func storeFailureIsTyped() async throws {
        let federation = try TestFederation()
        let configuration = try federation.configuration("uwv", "uwv-1")
        let uwv = try await federation.open(configuration)
        let id = try await uwv.create(.sample("Procesmining bezwaar"))
        await uwv.replicator.oplog.close(on: .singleton)
        let failure = await #expect(throws: WriteError.self) {
            try await uwv.write(.setText(.title, "Na het sluiten"), to: id)
        }
        guard case let .store(error)? = failure else {
            Issue.record("expected a store error, got \(String(describing: failure))")
            return
        }
        // GRDB reports a write to a closed pool as SQLite's "out of memory",
        // so the store calls it an I/O failure; either way it names the file.
        switch error {
        case let .io(path, _), let .closed(path): #expect(path == configuration.storePath, "\(error)")
        default: Issue.record("unexpected store error \(error)")
        }
        #expect(failure?.rpcError.code == .internalError)
    }

    @Test("a write the rules refuse fails with the rule in words and leaves no op behind")
    func refusedWriteLeavesNothing() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        try await running([uwv, svb]) {
            let id = try await uwv.create(.sample("Procesmining bezwaar"))
            try await waitForConvergence([uwv, svb])
            let before = svb.versionVector
            await #expect(throws: WriteError.refused(Rejection(.ownerOnly, "only uwv may edit this initiative"))) {
                try await svb.write(.setText(.title, "Overgenomen titel"), to: id)
            }
            await #expect(throws: WriteError.refused(Rejection(.notOnOwnInitiative, "uwv cannot adopt its own initiative"))) {
                try await uwv.write(.setAdoption(Adoption(status: .adopted)), to: id)
            }
            let unknown = InitiativeID(timestamp: HLCTimestamp(wallMillis: 1, logical: 0), node: try NodeID("nowhere"))
            await #expect(throws: WriteError.notFound(unknown)) {
                try await svb.write(.setText(.title, "x"), to: unknown)
            }
            #expect(svb.versionVector == before)
            // Progress by an organisation that has not adopted it is refused;
            // after adopting, it is accepted and reaches the owner.
            await #expect(throws: WriteError.self) {
                try await svb.write(.addProgress(ProgressEntry(date: "2026-12-01", text: "eerste test")), to: id)
            }
            try await svb.write(.setAdoption(Adoption(status: .piloting)), to: id)
            try await svb.write(.addProgress(ProgressEntry(date: "2026-12-01", text: "pilot gestart")), to: id)
            try await waitForConvergence([uwv, svb])
            #expect(try uwv.store.initiativeState(id)?.progress.count == 1)
        }
    }

    @Test("a data folder in use by a running node is refused with a clear message")
    func dataFolderLock() async throws {
        let federation = try TestFederation()
        let configuration = try federation.configuration("uwv", "uwv-1")
        let node = try await federation.open(configuration)
        do {
            _ = try await federation.open(configuration)
            Issue.record("a second node opened the same data folder")
        } catch {
            #expect("\(error)".contains("is in use by another kiemd (pid \(getpid()))"))
        }
        try await running([node]) {}
        // Released once the first one stopped.
        let again = try await federation.open(configuration)
        try await running([again]) {}
    }

    @Test("a certificate that names another organisation than the configuration stops startup")
    func certificateMismatch() async throws {
        let federation = try TestFederation()
        let configuration = try federation.configuration("uwv", "uwv-1", certifiedOrganisation: "svb")
        do {
            _ = try await federation.open(configuration)
            Issue.record("the node started with a certificate for svb")
        } catch {
            #expect("\(error)".contains("names organisation svb, node uwv-1, but the configuration says organisation uwv, node uwv-1"))
        }
    }

    @Test("a peer presenting another organisation than configured is refused; nothing syncs")
    func wrongOrganisationRefused() async throws {
        let federation = try TestFederation()
        let rws = try await federation.open(try federation.configuration("rws", "rws-1"))
        // uwv expects svb at rws's address.
        let wrong = NodeConfiguration.Peer(
            address: .init(host: "127.0.0.1", port: rws.listenPort!), organisation: try OrganisationID("svb"),
            node: try NodeID("rws-1"))
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1", peers: [wrong]))
        try await running([uwv, rws]) {
            _ = try await uwv.create(.sample("Alleen bij UWV"))
            try await waitUntil("uwv to record the refusal", nodes: [uwv]) {
                uwv.replicator.registry.peers[try NodeID("rws-1")]?.lastError != nil
            }
            let error = try #require(uwv.replicator.registry.peers[try NodeID("rws-1")]?.lastError)
            #expect(error.contains("svb"), "the refusal names the expected organisation: \(error)")
            #expect(uwv.connectedPeers.isEmpty)
            #expect(rws.versionVector.totalOps == 0)
        }
    }
}
