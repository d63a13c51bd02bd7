import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KiemConfiguration
import KiemNode
import KiemTestSupport
import Testing

/// A node whose certificate expires in ten days, as an operator meets it:
/// `kiemd --check-config`, the daemon log, `/metrics` and `kiemctl status`
/// on that node, and on its peer.
@Suite("certificate expiry, with real kiemd processes")
struct CertificateExpiryProcessTests {
    static let day: TimeInterval = 86_400

    @Test("a certificate expiring in 10 days: check-config line, log warning, metric, status warning in text and JSON, also on the peer")
    func tenDaysLeft() async throws {
        let pki = try TestPKI()
        let root = try TestPKI.temporaryDirectory("kiem-expiry")
        let (uwvNode, svbNode) = (try LoopbackNode("uwv", "uwv-1"), try LoopbackNode("svb", "svb-1"))
        // An hour past ten days, so that "10 days" still holds when checked.
        var uwvConfiguration = try uwvNode.configuration(
            pki: pki, root: root, peers: [svbNode], notValidAfter: pki.now.addingTimeInterval(10 * Self.day + 3_600))
        var svbConfiguration = try svbNode.configuration(
            pki: pki, root: root, peers: [uwvNode], notValidAfter: pki.now.addingTimeInterval(200 * Self.day))
        let (uwvMetrics, svbMetrics) = (try freeLoopbackPort(), try freeLoopbackPort())
        uwvConfiguration.metrics = .init(host: "127.0.0.1", port: uwvMetrics)
        svbConfiguration.metrics = .init(host: "127.0.0.1", port: svbMetrics)

        let uwv = try uwvNode.start(uwvConfiguration, root: root)
        let svb = try svbNode.start(svbConfiguration, root: root)
        try await uwv.waitUntilListening()
        try await svb.waitUntilListening()

        let kiemd = try #require(BuiltExecutable("kiemd"), "the kiemd binary was not built (swift build --build-tests)")
        let check = try await kiemd.run(["--check-config", "--config", uwv.configurationPath])
        #expect(check.status == 0, "\(check.output)")
        let lines = check.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  certificate   \(uwvConfiguration.tls.certificate): expires in 10 days, at ") }, "\(check.output)")
        #expect(lines.contains { $0.hasPrefix("  warning       this node's certificate (uwv-1) expires in 10 days, at ")
            && $0.hasSuffix("Z; issue a new one (kiemctl pki issue, deploy/PKI.md) and restart kiemd before then: "
                + "peers refuse an expired certificate") }, "\(check.output)")
        #expect(lines.contains { $0.hasPrefix("  ca            \(uwvConfiguration.tls.ca): valid until ") && $0.hasSuffix("(364 days left)") },
                "\(check.output)")
        #expect(lines.contains("  accept        members (any node with a valid federation certificate may dial in)"), "\(check.output)")
        let svbCheck = try await kiemd.run(["--check-config", "--config", svb.configurationPath])
        #expect(svbCheck.output.contains(": valid until ") && !svbCheck.output.contains("warning"), "\(svbCheck.output)")

        try await uwv.waitForLog("this node's certificate (uwv-1) expires in 10 days", "warning", "kiem.certificate.kind=node")
        #expect(!svb.log.contains("certificate expires soon: this node's"), "svb-1's certificate has 200 days left")

        // Each side knows the other's certificate once a session ran.
        try await uwv.waitForLog("sync session opened", "kiem.peer=svb-1")
        try await svb.waitForLog("sync session opened", "kiem.peer=uwv-1")
        let uwvText = try await Self.metrics(port: uwvMetrics)
        let node = try #require(Self.gauge(uwvText, #"kind="node""#), "\(uwvText)")
        #expect(node > 10 * Self.day && node <= 10 * Self.day + 3_600, "\(node)")
        let ca = try #require(Self.gauge(uwvText, #"kind="ca""#), "\(uwvText)")
        #expect(ca > 364 * Self.day && ca <= 365 * Self.day)
        let svbPeer = try #require(Self.gauge(uwvText, #"kind="peer""#, #"peer="svb-1""#), "\(uwvText)")
        #expect(svbPeer > 199 * Self.day && svbPeer <= 200 * Self.day)
        let svbText = try await Self.metrics(port: svbMetrics)
        let uwvPeer = try #require(Self.gauge(svbText, #"kind="peer""#, #"peer="uwv-1""#), "\(svbText)")
        #expect(uwvPeer > 10 * Self.day && uwvPeer <= 10 * Self.day + 3_600)

        let status = try await uwv.kiemctl("status")
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("warning         this node's certificate (uwv-1) expires in 10 days, at "), "\(status)")
        let json = try await uwv.kiemctlJSON("status")
        let warnings = try #require(json["warnings"] as? [String], "\(json)")
        #expect(warnings.count == 1 && warnings[0].hasPrefix("this node's certificate (uwv-1) expires in 10 days"), "\(warnings)")
        let certificates = try #require(json["certificates"] as? [[String: Any]], "\(json)")
        #expect(certificates.map { "\($0["kind"] ?? "")/\($0["name"] ?? "")" }.filter { !$0.hasPrefix("ca/") } == ["node/uwv-1", "peer/svb-1"])
        #expect(json["accept"] as? String == "members")
        let peerStatus = try await svb.kiemctlJSON("status")
        #expect((peerStatus["warnings"] as? [String])?.first?.hasPrefix("peer uwv-1's certificate expires in 10 days") == true,
                "\(peerStatus)")

        #expect(try await uwv.terminate() == 0)
        #expect(try await svb.terminate() == 0)
        #expect(uwv.logCount("certificate expires soon: this node's certificate (uwv-1)") == 1,
                "logged once at start, not again:\n\(uwv.log)")
    }

    /// The metrics text of the node serving them on `port`.
    static func metrics(port: Int) async throws -> String {
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        try #require((response as? HTTPURLResponse)?.statusCode == 200)
        return String(decoding: body, as: UTF8.self)
    }

    /// The value of the `kiem_certificate_expiry_seconds` series whose labels include `labels`.
    static func gauge(_ text: String, _ labels: String...) -> Double? {
        text.split(separator: "\n")
            .first { $0.hasPrefix("kiem_certificate_expiry_seconds{") && labels.allSatisfy($0.contains) }
            .flatMap { $0.split(separator: " ").last }
            .flatMap { Double($0) }
    }
}
