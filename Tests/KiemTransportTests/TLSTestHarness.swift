import Crypto
import Foundation
import KiemCore
import KiemTestSupport
import KiemTransport
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// Shared, expensive fixtures (RSA key generation) made once per test run.
/// One that cannot be made fails every test that needs it, not the run.
enum TLSFixtures {
    private static let madePKI = Result { try TestPKI() }
    private static let madePKIoverheid = Result { try TestPKIoverheid() }
    static var pki: TestPKI { get throws { try madePKI.get() } }
    static var pkioverheid: TestPKIoverheid { get throws { try madePKIoverheid.get() } }
    // OINs parsed from literals: they fail only if the literals are wrong.
    static let uwvOIN = try! OIN("00000001001234567000")
    static let svbOIN = try! OIN("00000001002345678000")
    static let unknownOIN = try! OIN("00000001009999999000")
}

/// One log line as a test sees it.
struct CapturedLogLine: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]
}

/// A LogHandler that keeps every line, so tests can check what was logged.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        let lines = Mutex<[CapturedLogLine]>([])
        func all() -> [CapturedLogLine] { lines.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        let line = CapturedLogLine(
            level: event.level,
            message: event.message.description,
            metadata: merged.mapValues { "\($0)" }
        )
        store.lines.withLock { $0.append(line) }
    }

    static func logger(_ label: String) -> (Logger, Store) {
        let store = Store()
        let logger = Logger(label: label) { _ in CapturingLogHandler(store: store) }
        return (logger, store)
    }
}

enum TLSTestError: Error {
    case timedOut(String)
    case connectionClosed
}

/// Echoes every read back; optionally closes after the first echo.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let closeAfterEcho: Bool

    init(closeAfterEcho: Bool) {
        self.closeAfterEcho = closeAfterEcho
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let written = context.writeAndFlush(wrapOutboundOut(buffer))
        if closeAfterEcho {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Completes `reply` with the first bytes read, or fails it with the first
/// error (or ``TLSTestError/connectionClosed``).
final class ReplyCatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let reply: EventLoopPromise<String>
    private let authenticated: EventLoopPromise<PeerIdentity>
    private var done = false
    private var sawAuthentication = false

    init(reply: EventLoopPromise<String>, authenticated: EventLoopPromise<PeerIdentity>) {
        self.reply = reply
        self.authenticated = authenticated
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        complete(.success(buffer.readString(length: buffer.readableBytes) ?? ""))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSPeerAuthenticatedEvent, !sawAuthentication {
            sawAuthentication = true
            authenticated.succeed(event.identity)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(TLSTestError.connectionClosed))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(.failure(TLSTestError.connectionClosed))
    }

    private func complete(_ result: Result<String, any Error>) {
        guard !done else { return }
        done = true
        reply.completeWith(result)
        if !sawAuthentication {
            sawAuthentication = true
            authenticated.fail(TLSTestError.connectionClosed)
        }
    }
}

/// A loopback TLS echo server on 127.0.0.1 and an ephemeral port, recording
/// the outcome of every handshake it sees.
struct TLSTestServer: Sendable {
    let channel: any Channel
    let outcomes: AsyncStream<Result<PeerIdentity, PeerRefusal>>
    let logs: CapturingLogHandler.Store

    var port: Int { channel.localAddress!.port! }

    static func start(
        identity: NodeTLSIdentity,
        membership: [OIN: OrganisationID] = [:],
        applicationProtocols: [String] = [],
        closeAfterEcho: Bool = false,
        admission: KiemTLSContext.Admission? = nil
    ) async throws -> TLSTestServer {
        let (logger, logs) = CapturingLogHandler.logger("kiem.test.server")
        let context = try KiemTLSContext(
            role: .server, identity: identity, membership: membership, applicationProtocols: applicationProtocols, logger: logger,
            admission: admission)
        let (outcomes, continuation) = AsyncStream.makeStream(of: Result<PeerIdentity, PeerRefusal>.self)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let identityHandler = try context.addHandlers(to: channel)
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(closeAfterEcho: closeAfterEcho))
                    identityHandler.identity.whenComplete { result in
                        continuation.yield(result.mapError { $0 as? PeerRefusal ?? .handshakeFailed(reason: "\($0)") })
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TLSTestServer(channel: channel, outcomes: outcomes, logs: logs)
    }

    /// The outcome of the next handshake the server sees.
    func nextOutcome() async throws -> Result<PeerIdentity, PeerRefusal> {
        let outcomes = self.outcomes
        return try await withDeadline(seconds: 60, "server handshake outcome") {
            var iterator = outcomes.makeAsyncIterator()
            guard let outcome = await iterator.next() else { throw TLSTestError.connectionClosed }
            return outcome
        }
    }

    /// The refusal codes the server logged.
    func loggedRefusals() -> [String] {
        logs.all().compactMap { $0.metadata["kiem.tls.refusal"] }
    }

    func stop() async {
        try? await channel.close().get()
    }
}

/// A connected test client.
struct TLSTestClient: Sendable {
    let channel: any Channel
    let reply: EventLoopFuture<String>
    /// Completes with the identity carried by the `TLSPeerAuthenticatedEvent`
    /// a handler behind the TLS handlers receives.
    let authenticatedEvent: EventLoopFuture<PeerIdentity>
    let logs: CapturingLogHandler.Store?

    /// Connects with a Kiem TLS client context.
    static func connect(
        port: Int,
        identity: NodeTLSIdentity,
        membership: [OIN: OrganisationID] = [:],
        applicationProtocols: [String] = [],
        expecting expectedPeer: ExpectedPeer? = nil
    ) async throws -> TLSTestClient {
        let (logger, logs) = CapturingLogHandler.logger("kiem.test.client")
        let context = try KiemTLSContext(
            role: .client, identity: identity, membership: membership, applicationProtocols: applicationProtocols, logger: logger)
        return try await connect(port: port, logs: logs) { channel in
            try context.addHandlers(to: channel, expecting: expectedPeer)
        }
    }

    /// Connects with a bare NIOSSL client (no Kiem checks of its own): for
    /// peers that misbehave on purpose.
    static func connectRaw(port: Int, configuration: TLSConfiguration) async throws -> TLSTestClient {
        let sslContext = try NIOSSLContext(configuration: configuration)
        return try await connect(port: port, logs: nil) { channel in
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: nil))
        }
    }

    private static func connect(
        port: Int,
        logs: CapturingLogHandler.Store?,
        addTLS: @escaping @Sendable (any Channel) throws -> Void
    ) async throws -> TLSTestClient {
        let replySlot = ReplySlot()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try addTLS(channel)
                    let reply = channel.eventLoop.makePromise(of: String.self)
                    let authenticated = channel.eventLoop.makePromise(of: PeerIdentity.self)
                    replySlot.set(reply.futureResult, authenticated.futureResult)
                    do {
                        try channel.pipeline.syncOperations.addHandler(ReplyCatcher(reply: reply, authenticated: authenticated))
                    } catch {
                        reply.fail(error)
                        authenticated.fail(error)
                        throw error
                    }
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        guard let (reply, authenticated) = replySlot.get() else { throw TLSTestError.connectionClosed }
        return TLSTestClient(channel: channel, reply: reply, authenticatedEvent: authenticated, logs: logs)
    }

    /// Hands the reply future out of the channel initializer.
    private final class ReplySlot: Sendable {
        private let futures = Mutex<(EventLoopFuture<String>, EventLoopFuture<PeerIdentity>)?>(nil)
        func set(_ reply: EventLoopFuture<String>, _ authenticated: EventLoopFuture<PeerIdentity>) {
            futures.withLock { $0 = (reply, authenticated) }
        }
        func get() -> (EventLoopFuture<String>, EventLoopFuture<PeerIdentity>)? { futures.withLock { $0 } }
    }

    /// Sends `text` and waits for the echo.
    func echo(_ text: String) async throws -> String {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        try? await channel.writeAndFlush(buffer).get()
        let reply = self.reply
        return try await withDeadline(seconds: 60, "echo") { try await reply.get() }
    }

    /// The negotiated TLS version, once the handshake is done.
    func tlsVersion() async throws -> TLSVersion? {
        let channel = self.channel
        return try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).tlsVersion
        }.get()
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// A bare TLS 1.3 client configuration that trusts anything and presents
/// the given chain and key (or none).
func rawClientConfiguration(
    chain: [Certificate] = [],
    key: NIOSSLPrivateKey? = nil
) throws -> TLSConfiguration {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.minimumTLSVersion = .tlsv13
    configuration.maximumTLSVersion = .tlsv13
    configuration.certificateVerification = .none
    configuration.certificateChain = try chain.map { certificate in
        .certificate(try NIOSSLCertificate(bytes: Array(try certificate.serializeAsPEM().pemString.utf8), format: .pem))
    }
    configuration.privateKey = key.map { .privateKey($0) }
    return configuration
}

/// A private key that signs the TLS handshake with a *different* P-256 key
/// than the certificate's: a peer that has a certificate but not its key.
struct ImpostorSigningKey: NIOSSLCustomPrivateKey, Hashable {
    let rawKey: [UInt8]

    init() {
        rawKey = Array(P256.Signing.PrivateKey().rawRepresentation)
    }

    var signatureAlgorithms: [SignatureAlgorithm] { [.ecdsaSecp256R1Sha256] }

    func sign(channel: any Channel, algorithm: SignatureAlgorithm, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        do {
            let key = try P256.Signing.PrivateKey(rawRepresentation: rawKey)
            let signature = try key.signature(for: Data(data.readableBytesView))
            return channel.eventLoop.makeSucceededFuture(ByteBuffer(bytes: signature.derRepresentation))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    func decrypt(channel: any Channel, data: ByteBuffer) -> EventLoopFuture<ByteBuffer> {
        channel.eventLoop.makeFailedFuture(TLSTestError.connectionClosed)
    }
}
