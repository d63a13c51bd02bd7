public import Foundation
public import KiemCore
public import Logging
public import NIOCore
public import NIOSSL
import X509
import Synchronization

/// Mutual TLS 1.3 for one side (server or client) of Kiem connections.
///
/// Holds the NIOSSL context built from this node's identity and the
/// certificate policy (``PeerCertificateVerifier``) that replaces BoringSSL's
/// chain verification. Make one per listener or dialler and call
/// ``addHandlers(to:expecting:)`` in each channel's initializer; the
/// ``TLSIdentityHandler`` it adds exposes the authenticated ``PeerIdentity``
/// (see ``NIOCore/Channel/kiemPeerIdentity()``).
public struct KiemTLSContext: Sendable {
    public enum Role: String, Sendable {
        case server
        case client
    }

    public let role: Role
    public let identity: NodeTLSIdentity
    public let verifier: PeerCertificateVerifier
    /// The NIOSSL configuration in use: TLS 1.3 only, peer certificate
    /// required, this node's chain and key, the federation roots.
    public let configuration: TLSConfiguration

    private let sslContext: NIOSSLContext
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let admission: Admission?

    /// Decides, after its certificate passed every check, whether an
    /// authenticated peer may have a connection: nil admits it, a refusal
    /// turns the handshake down with that refusal. Asked in every handshake,
    /// so a change to what it consults takes effect with the next one.
    public typealias Admission = @Sendable (PeerIdentity) -> PeerRefusal?

    /// - Parameters:
    ///   - role: Whether this context accepts (server) or dials (client).
    ///   - identity: This node's key, chain and trusted roots.
    ///   - membership: OIN → organisation, for PKIoverheid-style peers.
    ///   - rsaKeySizes: Accepted RSA leaf key sizes.
    ///   - applicationProtocols: ALPN identifiers to offer (client) or accept
    ///     (server). When given, a handshake that does not agree on one of
    ///     them is refused (``PeerRefusal/applicationProtocolMismatch(required:negotiated:)``).
    ///   - logger: Receives one line per refused peer (`kiem.tls.refusal`).
    ///   - admission: Who of the authenticated peers may connect (see
    ///     ``Admission``); nil admits every federation member.
    ///   - now: The clock certificate validity is checked against.
    public init(
        role: Role,
        identity: NodeTLSIdentity,
        membership: [OIN: OrganisationID] = [:],
        rsaKeySizes: ClosedRange<Int> = FederationTrust.defaultRSAKeySizes,
        applicationProtocols: [String] = [],
        logger: Logger,
        admission: Admission? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let trust = FederationTrust(roots: identity.trustRoots, membership: membership, rsaKeySizes: rsaKeySizes)
        let configuration: TLSConfiguration
        switch role {
        case .server:
            configuration = try Self.makeServerConfiguration(identity: identity, applicationProtocols: applicationProtocols)
        case .client:
            configuration = try Self.makeClientConfiguration(identity: identity, applicationProtocols: applicationProtocols)
        }
        self.role = role
        self.identity = identity
        self.verifier = PeerCertificateVerifier(trust: trust)
        self.configuration = configuration
        self.sslContext = try NIOSSLContext(configuration: configuration)
        self.logger = logger
        self.admission = admission
        self.now = now
    }

    /// A server configuration for mutual TLS 1.3: min = max = TLS 1.3, a
    /// client certificate is required, only `identity.trustRoots` are trusted.
    /// Chain checks beyond the handshake itself are done by the custom
    /// verification callback that ``addHandlers(to:expecting:)`` installs; do
    /// not use this configuration without it.
    public static func makeServerConfiguration(identity: NodeTLSIdentity, applicationProtocols: [String] = []) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try identity.certificateChain.map { .certificate(try $0.nioSSLCertificate()) },
            privateKey: .privateKey(try identity.privateKey.nioSSLPrivateKey())
        )
        try Self.applyCommonSettings(to: &configuration, identity: identity, applicationProtocols: applicationProtocols)
        configuration.sendCANameList = true
        return configuration
    }

    /// A client configuration for mutual TLS 1.3 (see
    /// ``makeServerConfiguration(identity:applicationProtocols:)``). Host names
    /// are not checked: peers are identified by their certificate's Kiem URN
    /// or OIN, not by DNS.
    public static func makeClientConfiguration(identity: NodeTLSIdentity, applicationProtocols: [String] = []) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = try identity.certificateChain.map { .certificate(try $0.nioSSLCertificate()) }
        configuration.privateKey = .privateKey(try identity.privateKey.nioSSLPrivateKey())
        try Self.applyCommonSettings(to: &configuration, identity: identity, applicationProtocols: applicationProtocols)
        return configuration
    }

    private static func applyCommonSettings(
        to configuration: inout TLSConfiguration,
        identity: NodeTLSIdentity,
        applicationProtocols: [String]
    ) throws {
        configuration.minimumTLSVersion = .tlsv13
        configuration.maximumTLSVersion = .tlsv13
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates(try identity.trustRoots.map { try $0.nioSSLCertificate() })
        configuration.applicationProtocols = applicationProtocols
    }

    /// Adds the TLS handler and a ``TLSIdentityHandler`` to the front of
    /// `channel`'s pipeline. Call it on the channel's event loop (e.g. in a
    /// `childChannelInitializer` or `channelInitializer`), before any handler
    /// that reads plaintext.
    ///
    /// - Parameter expectedPeer: For a client: who the server must be; any
    ///   other authenticated server is refused as
    ///   ``PeerRefusal/unexpectedPeer(expected:presented:)``.
    /// - Returns: The identity handler, whose ``TLSIdentityHandler/identity``
    ///   future completes when the handshake succeeds or is refused.
    @discardableResult
    public func addHandlers(to channel: any Channel, expecting expectedPeer: ExpectedPeer? = nil) throws -> TLSIdentityHandler {
        let slot = PeerVerificationSlot()
        let callback = makeVerificationCallback(slot: slot, expectedPeer: expectedPeer)
        let tlsHandler: NIOSSLHandler
        switch role {
        case .server:
            tlsHandler = NIOSSLServerHandler(context: sslContext, customVerificationCallback: callback)
        case .client:
            tlsHandler = try NIOSSLClientHandler(context: sslContext, serverHostname: nil, customVerificationCallback: callback)
        }
        var metadata: Logger.Metadata = ["kiem.tls.role": "\(role.rawValue)"]
        if let address = channel.remoteAddress { metadata["kiem.peer.address"] = "\(address)" }
        var logger = self.logger
        for (key, value) in metadata { logger[metadataKey: key] = value }
        let identityHandler = TLSIdentityHandler(
            eventLoop: channel.eventLoop, slot: slot, requiredProtocols: configuration.applicationProtocols, logger: logger)
        try channel.pipeline.syncOperations.addHandlers([tlsHandler, identityHandler])
        return identityHandler
    }

    /// The callback NIOSSL calls with the peer's presented chain; it replaces
    /// all of BoringSSL's verification. It records the verdict in `slot` for
    /// the identity handler, which reads it when the handshake completes or fails.
    private func makeVerificationCallback(slot: PeerVerificationSlot, expectedPeer: ExpectedPeer?) -> NIOSSLCustomVerificationCallback {
        let verifier = self.verifier
        let now = self.now
        let admission = self.admission
        return { certificates, promise in
            var chain: [[UInt8]] = []
            for certificate in certificates {
                guard let der = try? certificate.toDERBytes() else {
                    slot.store(.failure(.malformedCertificate(reason: "a presented certificate cannot be encoded")))
                    promise.succeed(.failed)
                    return
                }
                chain.append(der)
            }
            let time = now()
            let presentedChain = chain
            promise.completeWithTask {
                var verdict = await verifier.verify(presentedChain: presentedChain, at: time)
                if case .success(let identity) = verdict, let expectedPeer, !expectedPeer.matches(identity) {
                    verdict = .failure(.unexpectedPeer(expected: expectedPeer.description, presented: identity.description))
                }
                if case .success(let identity) = verdict, let admission, let refusal = admission(identity) {
                    verdict = .failure(refusal)
                }
                slot.store(verdict)
                switch verdict {
                case .success: return .certificateVerified
                case .failure: return .failed
                }
            }
        }
    }
}

/// The verdict of one connection's certificate check, handed from the
/// verification callback (which may finish on another thread) to the
/// connection's ``TLSIdentityHandler``.
final class PeerVerificationSlot: Sendable {
    private let verdict = Mutex<Result<PeerIdentity, PeerRefusal>?>(nil)

    func store(_ result: Result<PeerIdentity, PeerRefusal>) {
        verdict.withLock { $0 = result }
    }

    func load() -> Result<PeerIdentity, PeerRefusal>? {
        verdict.withLock { $0 }
    }
}

extension Certificate {
    func nioSSLCertificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: try derBytes, format: .der)
    }
}

extension Certificate.PrivateKey {
    func nioSSLPrivateKey() throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(bytes: Array(try PEMFiles.pem(self).utf8), format: .pem)
    }
}
