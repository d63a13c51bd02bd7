import Foundation
import Hummingbird
import HummingbirdTesting
import KiemConfiguration
import KiemCore
@testable import KiemDashboard
@testable import KiemNode
import KiemTestSupport
import NIOSSL
import Testing

/// Who may read the dashboard: a bearer token when configured, HTTPS with
/// client certificates from the federation CA, and the rule that refuses to
/// serve beyond localhost without one of them.
@Suite("dashboard security")
struct DashboardSecurityTests {
    static let token = "s3cr3t-token-0123456789abcdef"

    @Test("with token_file, every route wants Authorization: Bearer <token>; a wrong one is a 401")
    func bearerToken() async throws {
        let fixture = try await DashboardFixture.open { federation in
            let file = federation.root.appendingPathComponent("dashboard.token").path
            try "\(Self.token)\n".write(toFile: file, atomically: true, encoding: .utf8)
            return NodeConfiguration.Dashboard(listen: .init(host: "127.0.0.1", port: try freeLoopbackPort()), tokenFile: file)
        }
        try await Application(router: fixture.router).test(.router) { client in
            for (uri, authorization) in [("/", nil), ("/", "Bearer wrong-token-0123456789abcdef"), ("/", "Basic \(Self.token)"),
                                         ("/api/overview", nil), ("/no/such/page", nil), ("/", "Bearer \(Self.token)x")] {
                let headers: HTTPFields = authorization.map { [.authorization: $0] } ?? [:]
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(uri) with \(authorization ?? "no token")")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"kiem dashboard\"")
                }
            }
            try await client.execute(uri: "/api/overview", method: .get, headers: [.authorization: "Bearer \(Self.token)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"total\" : 5"))
            }
            try await client.execute(uri: "/", method: .get, headers: [.authorization: "bearer \(Self.token)"]) { response in
                #expect(response.status == .ok, "the scheme is case-insensitive")
            }
        }
    }

    @Test("tokens compare in constant time over the expected bytes; short or spaced token files are refused")
    func tokenValues() throws {
        #expect(BearerToken.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("abd".utf8), Array("abc".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("ab".utf8), Array("abc".utf8)))
        #expect(!BearerToken.constantTimeEqual(Array("abcd".utf8), Array("abc".utf8)))
        #expect(!BearerToken.constantTimeEqual([], Array("abc".utf8)))
        #expect(!BearerToken(Self.token).isPresented(in: "Bearer"))
        let folder = try TestPKI.temporaryDirectory("kiem-token")
        for content in ["short", "two words-0123456789abcdef"] {
            let file = folder.appendingPathComponent("token").path
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(throws: DashboardStartupError.self) { try BearerToken(file: file, logger: TestFederation.logger) }
        }
        #expect(throws: DashboardStartupError.self) {
            try BearerToken(file: folder.appendingPathComponent("missing").path, logger: TestFederation.logger)
        }
    }

    @Test("beyond localhost the configuration needs TLS and a client certificate or a token, naming the key")
    func refusal() throws {
        let base = "organisation = \"regie\"\nnode = \"regie-1\"\nrole = \"regie\"\ndata_dir = \"d\"\n"
            + "[tls]\nkey = \"k\"\ncertificate = \"c\"\nca = \"a\"\n[dashboard]\n"
        for (settings, key, problem) in [
            ("listen = \"0.0.0.0:9480\"", "dashboard.tls", "must be true to serve the dashboard on 0.0.0.0:9480, beyond localhost"),
            ("listen = \"10.1.2.3:9480\"\ntls = true", "dashboard.token_file", "(or dashboard.client_certificates = true) is required"),
            ("client_certificates = true", "dashboard.client_certificates", "needs HTTPS"),
            ("tls_key = \"x.key\"", "dashboard.tls_certificate", "is required with dashboard.tls_key"),
            ("tls_key = \"x.key\"\ntls_certificate = \"x.crt\"", "dashboard.tls_key", "is only used with dashboard.tls = true"),
            ("port = 80", "dashboard.port", "is not a known setting"),
        ] {
            do {
                _ = try NodeConfiguration.parse(toml: base + settings, relativeTo: "/srv")
                Issue.record("accepted: \(settings)")
            } catch {
                #expect(error.key == key, "\(settings): \(error)")
                #expect(error.problem.contains(problem), "\(settings): \(error)")
            }
        }
        let served = try NodeConfiguration.parse(
            toml: base + "listen = \"[::]:9480\"\ntls = true\ntoken_file = \"token\"", relativeTo: "/srv")
        #expect(served.dashboard == .init(listen: .init(host: "::", port: 9480), tls: .init(key: "/srv/k", certificate: "/srv/c"),
                                         tokenFile: "/srv/token"))
        #expect(served.dashboard.url == "https://[::]:9480/")
        #expect(try NodeConfiguration.parse(toml: served.toml, relativeTo: "/") == served)
        let certificates = try NodeConfiguration.parse(
            toml: base + "listen = \"0.0.0.0:9480\"\ntls = true\ntls_key = \"web.key\"\ntls_certificate = \"web.crt\"\nclient_certificates = true",
            relativeTo: "/srv")
        #expect(certificates.dashboard.tls == .init(key: "/srv/web.key", certificate: "/srv/web.crt"))
        #expect(try NodeConfiguration.parse(toml: certificates.toml, relativeTo: "/") == certificates)
        #expect(try NodeConfiguration.parse(toml: base + "enabled = false\nlisten = \"0.0.0.0:9480\"", relativeTo: "/").dashboard.enabled == false,
                "a disabled dashboard is not checked")
    }

    @Test("a node refuses to open with a dashboard beyond localhost that nothing protects")
    func nodeRefusal() async throws {
        let federation = try TestFederation()
        var configuration = try federation.configuration("regie", "regie-1")
        configuration.dashboard = .init(listen: .init(host: "0.0.0.0", port: 9480))
        await #expect(throws: NodeStartupError.self) { try await federation.open(configuration) }
    }

    @Test("over HTTPS with client_certificates, a certificate from the federation CA is let in; none or a foreign one is not")
    func clientCertificates() async throws {
        let port = try freeLoopbackPort()
        let fixture = try await DashboardFixture.open { federation in
            // The regie's own key and certificate, as `tls = true` alone would use.
            let tls = federation.root.appendingPathComponent("regie-1/tls")
            return NodeConfiguration.Dashboard(
                listen: .init(host: "127.0.0.1", port: port),
                tls: .init(key: tls.appendingPathComponent("node.key").path, certificate: tls.appendingPathComponent("node.crt").path),
                clientCertificates: true)
        }
        let member = try fixture.federation.pki.node("uwv", "uwv-1")
        let stranger = try TestPKI().node("uwv", "uwv-1")
        let server = try #require(fixture.node.dashboard)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            let url = try await withDeadline(seconds: 30, "the dashboard to serve") { await server.waitUntilServing() }
            #expect(url?.absoluteString == "https://127.0.0.1:\(port)/")

            let answer = try await get(port: port, member: member, identity: member)
            #expect(answer?.status == .ok)
            #expect(answer.map { String(buffer: $0.body ?? ByteBuffer()) }?.contains("<strong>5</strong>initiatives") == true)
            #expect(try await get(port: port, member: member, identity: nil) == nil, "no client certificate")
            #expect(try await get(port: port, member: member, identity: stranger) == nil, "a certificate from another CA")
        }
    }

    /// GET / over TLS, trusting `member`'s CA, presenting `identity`'s
    /// certificate if any; nil when the handshake or the request fails.
    private func get(port: Int, member: TestNodeIdentity, identity: TestNodeIdentity?) async throws -> TestClient.Response? {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(member.trustRootsPEM.utf8)))
        // The node certificate names a Kiem URN, not a host.
        tls.certificateVerification = .noHostnameVerification
        if let identity {
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(identity.chainPEM.utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem))
        }
        // 30 s: the connect, a handshake with a client certificate and a page
        // rendered from the store, while the whole suite runs beside it
        // (deploy/test-under-load.sh); a refusal ends the request at once.
        let client = TestClient(host: "127.0.0.1", port: port,
                                configuration: .init(tlsConfiguration: tls, timeout: .seconds(30), serverName: "kiem-dashboard"))
        client.connect()
        let response = try? await client.get("/")
        try? await client.shutdown()
        return response
    }
}
