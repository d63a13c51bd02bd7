import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemStore
import KiemTestSupport
import KiemTransport
import KiemWire
import Testing
import X509

/// `kiemctl pki renew` and a node restarted with the renewed certificate:
/// same node id and key, so its origin log goes on and every node, old or
/// new, verifies all of it.
@Suite("certificate renewal")
struct RenewalTests {
    @Test("renew writes a new node.crt for the same identity and key, later expiry, and leaves node.key and ca.crt alone; a key that is not the certificate's is refused")
    func renewFiles() throws {
        let federation = try TestFederation()
        let ca = try federation.pki.writeCA(to: federation.root.appendingPathComponent("ca"))
        let folder = federation.root.appendingPathComponent("uwv-1")
        try federation.pki.node("uwv", "uwv-1").write(to: folder)
        let keyBefore = try Data(contentsOf: folder.appendingPathComponent("node.key"))
        let caBefore = try Data(contentsOf: folder.appendingPathComponent("ca.crt"))
        let old = try #require(try PEMFiles.certificates(at: folder.appendingPathComponent("node.crt").path).first)

        let outcome = try FederationPKI.renew(caDirectory: ca, nodeDirectory: folder.path, validityDays: 400, now: Date())
        let renewed = try #require(try PEMFiles.certificates(at: folder.appendingPathComponent("node.crt").path).first)
        #expect(renewed == outcome.certificate)
        #expect(renewed.publicKey == old.publicKey && renewed.subject == old.subject)
        #expect(renewed.serialNumber != old.serialNumber)
        #expect(renewed.notValidAfter > old.notValidAfter)
        #expect(try Data(contentsOf: folder.appendingPathComponent("node.key")) == keyBefore)
        #expect(try Data(contentsOf: folder.appendingPathComponent("ca.crt")) == caBefore)

        let other = federation.root.appendingPathComponent("svb-1")
        try federation.pki.node("svb", "svb-1").write(to: other)
        try FileManager.default.removeItem(at: other.appendingPathComponent("node.key"))
        try FileManager.default.copyItem(at: folder.appendingPathComponent("node.key"), to: other.appendingPathComponent("node.key"))
        #expect(throws: PKIError.self) {
            try FederationPKI.renew(caDirectory: ca, nodeDirectory: other.path, validityDays: 30, now: Date())
        }
    }

    @Test("a node restarted with its renewed certificate goes on with its log; its peer and a new node verify the ops from before and after")
    func restartWithRenewedCertificate() async throws {
        let federation = try TestFederation()
        let ca = try federation.pki.writeCA(to: federation.root.appendingPathComponent("ca"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let uwvConfiguration = try federation.configuration("uwv", "uwv-1", peers: [try TestFederation.peer(svb)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await svb.run() }
            let uwv = try await federation.open(uwvConfiguration)
            group.addTask { try await uwv.run() }
            let before = try await uwv.create(.sample("Voor de verlenging"))
            try await waitForConvergence([uwv, svb])
            uwv.shutdown()
            await uwv.waitUntilStopped()

            let tls = URL(fileURLWithPath: uwvConfiguration.tls.certificate).deletingLastPathComponent().path
            _ = try FederationPKI.renew(caDirectory: ca, nodeDirectory: tls, validityDays: 400, now: Date())
            let renewed = try await federation.open(uwvConfiguration)
            group.addTask { try await renewed.run() }
            try await renewed.write(.setText(.summary, "Na de verlenging"), to: before)
            try await waitForConvergence([renewed, svb])
            #expect(renewed.versionVector[try NodeID("uwv-1")] == 2)

            let rws = try await federation.open(try federation.configuration("rws", "rws-1", peers: [try TestFederation.peer(svb)]))
            group.addTask { try await rws.run() }
            try await waitForConvergence([renewed, svb, rws])
            #expect(try rws.store.initiativeState(before)?.text(.summary) == "Na de verlenging")
            #expect(rws.counters.snapshot.integrityFailures.isEmpty && svb.counters.snapshot.integrityFailures.isEmpty)
            group.cancelAll()
        }
    }

    @Test("a key rotation (renew --new-key): the node signs on with its new key; a node that joins afterwards verifies its older ops with the old key, from a relay that keeps both certificates, and the chain goes on")
    func keyRotation() async throws {
        let federation = try TestFederation()
        let ca = try federation.pki.writeCA(to: federation.root.appendingPathComponent("ca"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1"))
        let uwvConfiguration = try federation.configuration("uwv", "uwv-1", peers: [try TestFederation.peer(svb)])
        let uwvNode = try NodeID("uwv-1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await svb.run() }
            let uwv = try await federation.open(uwvConfiguration)
            group.addTask { try await uwv.run() }
            let before = try await uwv.create(.sample("Onder de oude sleutel"))
            try await waitForConvergence([uwv, svb])
            uwv.shutdown()
            await uwv.waitUntilStopped()

            let tls = URL(fileURLWithPath: uwvConfiguration.tls.certificate).deletingLastPathComponent().path
            let oldKey = try Data(contentsOf: URL(fileURLWithPath: uwvConfiguration.tls.key))
            let outcome = try FederationPKI.renew(caDirectory: ca, nodeDirectory: tls, validityDays: 400, newKey: true, now: Date())
            #expect(outcome.files.count == 2)
            #expect(try Data(contentsOf: URL(fileURLWithPath: uwvConfiguration.tls.key)) != oldKey)
            let rotated = try await federation.open(uwvConfiguration)
            group.addTask { try await rotated.run() }
            try await waitUntil("svb-1 knows uwv-1's new certificate beside the old one", nodes: [svb, rotated]) {
                svb.replicator.directory.certificates(of: uwvNode).count == 2
            }
            #expect(svb.replicator.directory.identity(of: uwvNode)?.earlierKeys.count == 1)
            #expect(try svb.store.certificates().filter { $0.node == uwvNode }.count == 2, "both are kept in the store")

            // rws-1 joins now: uwv-1's only op so far is signed with the old key.
            let rws = try await federation.open(try federation.configuration("rws", "rws-1", peers: [try TestFederation.peer(svb)]))
            group.addTask { try await rws.run() }
            try await waitForConvergence([rotated, svb, rws])
            #expect(try rws.store.initiativeState(before) != nil)

            try await rotated.write(.setText(.summary, "Onder de nieuwe sleutel"), to: before)
            try await waitForConvergence([rotated, svb, rws])
            #expect(rws.versionVector[uwvNode] == 2)
            #expect(try rws.store.initiativeState(before)?.text(.summary) == "Onder de nieuwe sleutel")
            for node in [svb, rws] { #expect(node.counters.snapshot.integrityFailures.isEmpty) }
            group.cancelAll()
        }
    }
}
