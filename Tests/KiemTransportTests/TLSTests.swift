import Foundation
import KiemCore
import KiemTestSupport
import KiemTransport
import NIOCore
import NIOSSL
import Testing
import X509

/// Mutual TLS 1.3 over real loopback sockets: a Kiem echo server and clients
/// that are valid, or broken in one way each. Every refusal must be told
/// apart, on the refusing side's identity future and in its log line.
@Suite("TLS over loopback")
struct TLSTests {
    let pki: TestPKI

    init() throws {
        pki = try TLSFixtures.pki
    }

    private func serverIdentity() throws -> NodeTLSIdentity {
        try pki.node("svb", "svb-1", oin: TLSFixtures.svbOIN).tlsIdentity()
    }

    /// Expects the server to refuse the next handshake with `expected`, to
    /// have logged it, and the client's echo to fail.
    private func expectRefusal(
        _ expected: (PeerRefusal) -> Bool,
        code: String,
        server: TLSTestServer,
        client: TLSTestClient,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let echo = await outcome { try await client.echo("ping") }
        let outcome = try await server.nextOutcome()
        switch outcome {
        case .success(let identity):
            Issue.record("server accepted \(identity)", sourceLocation: sourceLocation)
        case .failure(let refusal):
            #expect(expected(refusal), "unexpected refusal \(refusal)", sourceLocation: sourceLocation)
            #expect(refusal.code == code, sourceLocation: sourceLocation)
        }
        #expect(server.loggedRefusals().contains(code), "log lines: \(server.logs.all().map(\.message))", sourceLocation: sourceLocation)
        if case .success(let reply) = echo {
            Issue.record("client got an echo '\(reply)' from a server that should have refused it", sourceLocation: sourceLocation)
        }
    }

    @Test("a valid pair authenticates both ways over TLS 1.3 and both sides see the right identity")
    func validPair() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let clientNode = try pki.node("uwv", "uwv-1", oin: TLSFixtures.uwvOIN)
        let client = try await TLSTestClient.connect(
            port: server.port,
            identity: try clientNode.tlsIdentity(),
            expecting: ExpectedPeer(organisation: try OrganisationID("svb"), node: try NodeID("svb-1"))
        )
        let clientSees = try await client.channel.kiemPeerIdentity().get()
        #expect(try await client.echo("ping") == "ping")
        #expect(try await client.tlsVersion() == .tlsv13)

        #expect(clientSees.organisation.rawValue == "svb")
        #expect(clientSees.node.rawValue == "svb-1")
        #expect(clientSees.oin == TLSFixtures.svbOIN)
        #expect(clientSees.source == .kiemURN)

        let serverSees = try await server.nextOutcome().get()
        #expect(serverSees.organisation.rawValue == "uwv")
        #expect(serverSees.node.rawValue == "uwv-1")
        #expect(serverSees.oin == TLSFixtures.uwvOIN)
        #expect(serverSees.certificate == clientNode.certificate)
        #expect(serverSees.publicKey == clientNode.privateKey.publicKey)
        #expect(serverSees.chain.count == 2)
        #expect(server.loggedRefusals().isEmpty)
        await client.close()
        await server.stop()
    }

    @Test("a handler behind the TLS handlers receives TLSPeerAuthenticatedEvent, and the identity handler keeps the identity")
    func authenticatedEvent() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let client = try await TLSTestClient.connect(port: server.port, identity: try pki.node("uwv", "uwv-2").tlsIdentity())
        let viaEvent = try await withDeadline(seconds: 15, "authenticated event") { try await client.authenticatedEvent.get() }
        #expect(viaEvent.organisation.rawValue == "svb")
        #expect(viaEvent.node.rawValue == "svb-1")
        let channel = client.channel
        let viaHandler = try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: TLSIdentityHandler.self).peerIdentity
        }.get()
        #expect(viaHandler == viaEvent)
        #expect(try await client.channel.kiemPeerIdentity().get() == viaEvent)
        #expect(try await server.nextOutcome().get().node.rawValue == "uwv-2")
        await client.close()
        await server.stop()
    }

    @Test("a server that speaks only 'kiem' refuses a client offering another ALPN protocol, or none: alpn; one offering 'kiem' gets in")
    func applicationProtocol() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity(), applicationProtocols: ["kiem"])
        let node = try pki.node("uwv", "uwv-1")
        let member = try node.tlsIdentity()
        let key = try NIOSSLPrivateKey(bytes: Array(try node.privateKeyPEM.utf8), format: .pem)
        for offered in [["h2"], []] {
            // A bare client: a Kiem client would refuse the server first.
            var configuration = try rawClientConfiguration(chain: node.chain, key: key)
            configuration.applicationProtocols = offered
            let client = try await TLSTestClient.connectRaw(port: server.port, configuration: configuration)
            try await expectRefusal({ if case .applicationProtocolMismatch(["kiem"], _) = $0 { true } else { false } },
                                    code: "alpn", server: server, client: client)
            await client.close()
        }
        let client = try await TLSTestClient.connect(port: server.port, identity: member, applicationProtocols: ["kiem"])
        #expect(try await client.echo("ping") == "ping")
        await client.close()
        await server.stop()
    }

    @Test("a client without a certificate is refused: no-certificate")
    func noClientCertificate() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let client = try await TLSTestClient.connectRaw(port: server.port, configuration: try rawClientConfiguration())
        try await expectRefusal({ $0 == .noCertificate }, code: "no-certificate", server: server, client: client)
        await client.close()
        await server.stop()
    }

    @Test("a client certificate from another CA is refused: untrusted-chain")
    func anotherCA() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let foreign = try pki.foreignNode("uwv", "uwv-1")
        let client = try await TLSTestClient.connect(port: server.port, identity: try foreign.tlsIdentity())
        try await expectRefusal(
            { if case .untrustedChain = $0 { return true } else { return false } },
            code: "untrusted-chain", server: server, client: client
        )
        // The client learns that it was refused, by alert.
        let clientError = await outcome { try await client.reply.get() }
        if case .failure(let error) = clientError, let refusal = error as? PeerRefusal {
            #expect(refusal.code == "rejected-by-peer")
        }
        await client.close()
        await server.stop()
    }

    @Test("an expired client certificate is refused: expired")
    func expired() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let client = try await TLSTestClient.connect(port: server.port, identity: try pki.expiredNode("uwv", "uwv-1").tlsIdentity())
        try await expectRefusal(
            { if case .expired = $0 { return true } else { return false } },
            code: "expired", server: server, client: client
        )
        await client.close()
        await server.stop()
    }

    @Test("a not-yet-valid client certificate is refused: not-yet-valid")
    func notYetValid() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let client = try await TLSTestClient.connect(port: server.port, identity: try pki.notYetValidNode("uwv", "uwv-1").tlsIdentity())
        try await expectRefusal(
            { if case .notYetValid = $0 { return true } else { return false } },
            code: "not-yet-valid", server: server, client: client
        )
        await client.close()
        await server.stop()
    }

    @Test("a client presenting a valid certificate without its key is refused: key-mismatch")
    func mismatchedKey() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let genuine = try pki.node("uwv", "uwv-1")
        let configuration = try rawClientConfiguration(
            chain: genuine.chain,
            key: NIOSSLPrivateKey(customPrivateKey: ImpostorSigningKey())
        )
        let client = try await TLSTestClient.connectRaw(port: server.port, configuration: configuration)
        try await expectRefusal({ $0 == .keyMismatch }, code: "key-mismatch", server: server, client: client)
        await client.close()
        await server.stop()
    }

    @Test("an RSA key outside 2048-4096 bits is refused: rsa-key-size")
    func rsaKeyTooSmall() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let weak = try pki.rsaNode("uwv", "uwv-1", bits: 1024)
        let key = try NIOSSLPrivateKey(bytes: Array(try weak.privateKeyPEM.utf8), format: .pem)
        let client = try await TLSTestClient.connectRaw(
            port: server.port,
            configuration: try rawClientConfiguration(chain: weak.chain, key: key)
        )
        try await expectRefusal(
            { $0 == .rsaKeySizeOutOfRange(bits: 1024, allowed: 2048...4096) },
            code: "rsa-key-size", server: server, client: client
        )
        await client.close()
        await server.stop()
    }

    @Test("a PKIoverheid-style RSA client is accepted through the membership list")
    func pkioverheidClientAccepted() async throws {
        let pkio = try TLSFixtures.pkioverheid
        let uwv = try OrganisationID("uwv")
        let serverIdentity = try pki.node("svb", "svb-1", oin: TLSFixtures.svbOIN)
            .trusting([pki.caCertificate, pkio.root])
            .tlsIdentity()
        let server = try await TLSTestServer.start(identity: serverIdentity, membership: [TLSFixtures.uwvOIN: uwv])
        let leaf = try pkio.leaf(oin: TLSFixtures.uwvOIN.rawValue, commonName: "kiem.uwv.nl", organisationName: "UWV")
        let client = try await TLSTestClient.connect(port: server.port, identity: try leaf.trusting([pki.caCertificate]).tlsIdentity())
        #expect(try await client.echo("ping") == "ping")
        let seen = try await server.nextOutcome().get()
        #expect(seen.organisation == uwv)
        #expect(seen.node.rawValue == "kiem-uwv-nl")
        #expect(seen.oin == TLSFixtures.uwvOIN)
        #expect(seen.source == .membershipList)
        #expect(seen.chain.count == 3)
        await client.close()
        await server.stop()
    }

    @Test("two PKIoverheid-style RSA nodes authenticate each other through the membership list")
    func pkioverheidBothSides() async throws {
        let pkio = try TLSFixtures.pkioverheid
        let membership = [TLSFixtures.uwvOIN: try OrganisationID("uwv"), TLSFixtures.svbOIN: try OrganisationID("svb")]
        let serverLeaf = try pkio.leaf(oin: TLSFixtures.svbOIN.rawValue, commonName: "kiem.svb.nl", organisationName: "SVB")
        let clientLeaf = try pkio.leaf(oin: TLSFixtures.uwvOIN.rawValue, commonName: "kiem.uwv.nl", organisationName: "UWV")
        let server = try await TLSTestServer.start(identity: try serverLeaf.tlsIdentity(), membership: membership)
        let client = try await TLSTestClient.connect(
            port: server.port,
            identity: try clientLeaf.tlsIdentity(),
            membership: membership,
            expecting: ExpectedPeer(organisation: try OrganisationID("svb"))
        )
        #expect(try await client.echo("ping") == "ping")
        let clientSees = try await client.channel.kiemPeerIdentity().get()
        #expect(clientSees.organisation.rawValue == "svb")
        #expect(clientSees.node.rawValue == "kiem-svb-nl")
        let serverSees = try await server.nextOutcome().get()
        #expect(serverSees.organisation.rawValue == "uwv")
        await client.close()
        await server.stop()
    }

    @Test("a PKIoverheid-style client with an OIN not in the membership list is refused: unknown-oin")
    func unknownOIN() async throws {
        let pkio = try TLSFixtures.pkioverheid
        let serverIdentity = try pki.node("svb", "svb-1")
            .trusting([pki.caCertificate, pkio.root])
            .tlsIdentity()
        let server = try await TLSTestServer.start(identity: serverIdentity, membership: [TLSFixtures.uwvOIN: try OrganisationID("uwv")])
        let leaf = try pkio.leaf(oin: TLSFixtures.unknownOIN.rawValue, commonName: "kiem.example.nl", organisationName: "Example")
        let client = try await TLSTestClient.connect(port: server.port, identity: try leaf.trusting([pki.caCertificate]).tlsIdentity())
        try await expectRefusal({ $0 == .unknownOIN(TLSFixtures.unknownOIN) }, code: "unknown-oin", server: server, client: client)
        await client.close()
        await server.stop()
    }

    @Test("the client verifies the server too: a server from another CA is refused by the client")
    func clientRefusesForeignServer() async throws {
        let foreignServer = try pki.foreignNode("svb", "svb-1").trusting([pki.caCertificate])
        let server = try await TLSTestServer.start(identity: try foreignServer.tlsIdentity())
        let client = try await TLSTestClient.connect(port: server.port, identity: try pki.node("uwv", "uwv-1").tlsIdentity())
        let result = await outcome { try await client.channel.kiemPeerIdentity().get() }
        guard case .failure(let error) = result else {
            Issue.record("client accepted a server from another CA: \(result)")
            return
        }
        // Under load the refusal may already have closed the channel and
        // removed the handler (ChannelPipelineError.notFound); the log says why.
        if let refusal = error as? PeerRefusal { #expect(refusal.code == "untrusted-chain") }
        #expect(client.logs?.all().contains { $0.metadata["kiem.tls.refusal"] == "untrusted-chain" } == true)
        await client.close()
        await server.stop()
    }

    @Test("a dialler that expects another node refuses the server: unexpected-peer")
    func unexpectedPeer() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let client = try await TLSTestClient.connect(
            port: server.port,
            identity: try pki.node("uwv", "uwv-1").tlsIdentity(),
            expecting: ExpectedPeer(organisation: try OrganisationID("svb"), node: try NodeID("svb-2"))
        )
        let result = await outcome { try await client.channel.kiemPeerIdentity().get() }
        guard case .failure(let error) = result, let refusal = error as? PeerRefusal else {
            Issue.record("client accepted the wrong server: \(result)")
            return
        }
        #expect(refusal == .unexpectedPeer(expected: "svb/svb-2", presented: "svb/svb-1 (OIN \(TLSFixtures.svbOIN))"))
        await client.close()
        await server.stop()
    }

    @Test("a server's admission turns an authenticated member down in the handshake: not-a-peer; a member it admits gets in")
    func admission() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity()) { peer in
            peer.node.rawValue == "uwv-1" ? nil : .notAPeer(presented: peer.description)
        }
        let admitted = try await TLSTestClient.connect(
            port: server.port, identity: try pki.node("uwv", "uwv-1", oin: TLSFixtures.uwvOIN).tlsIdentity())
        #expect(try await admitted.echo("ping") == "ping")
        #expect(try await server.nextOutcome().map(\.node.rawValue) == .success("uwv-1"))
        await admitted.close()
        let refused = try await TLSTestClient.connect(port: server.port, identity: try pki.node("rws", "rws-1").tlsIdentity())
        try await expectRefusal({ if case .notAPeer(let presented) = $0 { presented.hasPrefix("rws/rws-1") } else { false } },
                                code: "not-a-peer", server: server, client: refused)
        await refused.close()
        await server.stop()
    }

    @Test("a TLS 1.2-only client is refused: the server speaks TLS 1.3 only")
    func tls12Refused() async throws {
        let server = try await TLSTestServer.start(identity: try serverIdentity())
        let genuine = try pki.node("uwv", "uwv-1")
        var configuration = try rawClientConfiguration(
            chain: genuine.chain,
            key: NIOSSLPrivateKey(bytes: Array(try genuine.privateKeyPEM.utf8), format: .pem)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv12
        let client = try await TLSTestClient.connectRaw(port: server.port, configuration: configuration)
        try await expectRefusal(
            { if case .handshakeFailed = $0 { return true } else { return false } },
            code: "handshake-failed", server: server, client: client
        )
        await client.close()
        await server.stop()
    }
}

/// Runs `body`, capturing its result or error.
func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
