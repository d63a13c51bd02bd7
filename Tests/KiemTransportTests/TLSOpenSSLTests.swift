import Foundation
import KiemCore
import KiemTestSupport
import KiemTransport
import Testing

/// Checks the Kiem TLS server with a TLS implementation nobody here wrote:
/// Debian's `openssl s_client`.
@Suite("TLS against openssl s_client", .enabled(if: OpenSSLTool.path != nil, "openssl is not on PATH (apt-get install openssl); .ci/run installs it"))
struct TLSOpenSSLTests {
    let pki: TestPKI

    init() throws {
        pki = try TLSFixtures.pki
    }

    private func startServer() async throws -> TLSTestServer {
        try await TLSTestServer.start(identity: try pki.node("svb", "svb-1").tlsIdentity(), closeAfterEcho: true)
    }

    @Test("s_client without a client certificate is refused")
    func withoutCertificate() async throws {
        let server = try await startServer()
        let folder = try TestPKI.temporaryDirectory("kiem-openssl")
        try pki.node("uwv", "uwv-1").write(to: folder)
        let result = try await OpenSSLTool.sClient(port: server.port, arguments: [
            "-CAfile", folder.appendingPathComponent("ca.crt").path,
        ])
        #expect(try await server.nextOutcome() == .failure(.noCertificate))
        #expect(server.loggedRefusals() == ["no-certificate"])
        #expect(!result.output.contains("kiem-echo-line"), "\(result.output)")
        #expect(result.output.contains("certificate required"), "\(result.output)")
        await server.stop()
    }

    @Test("s_client with a valid node certificate negotiates TLSv1.3, verifies our server and gets its echo")
    func withCertificate() async throws {
        let server = try await startServer()
        let folder = try TestPKI.temporaryDirectory("kiem-openssl")
        try pki.node("uwv", "uwv-1").write(to: folder)
        let result = try await OpenSSLTool.sClient(port: server.port, arguments: [
            "-CAfile", folder.appendingPathComponent("ca.crt").path,
            "-cert", folder.appendingPathComponent("node.crt").path,
            "-key", folder.appendingPathComponent("node.key").path,
        ])
        #expect(result.output.contains("TLSv1.3"), "\(result.output)")
        #expect(result.output.contains("Verify return code: 0 (ok)"), "\(result.output)")
        #expect(result.output.contains("kiem-echo-line"), "\(result.output)")
        let identity = try await server.nextOutcome().get()
        #expect(identity.organisation.rawValue == "uwv")
        #expect(identity.node.rawValue == "uwv-1")
        await server.stop()
    }

    @Test("s_client limited to TLS 1.2 is refused even with a valid certificate")
    func tls12() async throws {
        let server = try await startServer()
        let folder = try TestPKI.temporaryDirectory("kiem-openssl")
        try pki.node("uwv", "uwv-1").write(to: folder)
        let result = try await OpenSSLTool.sClient(port: server.port, tls13: false, arguments: [
            "-tls1_2",
            "-CAfile", folder.appendingPathComponent("ca.crt").path,
            "-cert", folder.appendingPathComponent("node.crt").path,
            "-key", folder.appendingPathComponent("node.key").path,
        ])
        #expect(result.status != 0)
        #expect(!result.output.contains("kiem-echo-line"), "\(result.output)")
        let outcome = try await server.nextOutcome()
        guard case .failure(let refusal) = outcome else {
            Issue.record("a TLS 1.2 client was accepted: \(outcome)")
            return
        }
        #expect(refusal.code == "handshake-failed")
        await server.stop()
    }
}

/// Runs Debian's `openssl` binary.
enum OpenSSLTool {
    static let path: String? = TestCRL.openssl?.path

    /// `openssl s_client -connect 127.0.0.1:<port> -tls1_3 -verify_return_error -ign_eof …`,
    /// sending one line, then reading until the server closes.
    static func sClient(port: Int, tls13: Bool = true, arguments: [String]) async throws -> (status: Int32, output: String) {
        guard let path = Self.path else { throw TLSTestError.timedOut("openssl is not installed") }
        var all = ["s_client", "-connect", "127.0.0.1:\(port)", "-verify_return_error", "-ign_eof"]
        if tls13 { all.append("-tls1_3") }
        all += arguments
        let outcome = try await ChildProcess(URL(fileURLWithPath: path), all, input: Data("kiem-echo-line\n".utf8))
            .finished(seconds: 120)
        return (outcome.status, outcome.stdout)
    }
}
