import KiemWire
public import Logging
public import NIOCore
public import NIOPosix

/// One client connection to a Kiem RPC server, over mutual TLS 1.3 or the
/// control socket, carrying any number of concurrent calls (up to the
/// server's max concurrent streams).
///
/// The calls are in `RPCClient+Calls.swift`: ``unary(_:request:options:)``,
/// ``serverStreaming(_:request:options:responses:)``,
/// ``clientStreaming(_:options:requests:)`` and
/// ``bidirectionalStreaming(_:options:requests:responses:)``. Every call
/// fails with an ``RPCError``; cancelling the calling task resets the stream
/// (`RST CANCELLED`), which cancels the server's handler.
///
/// Prefer ``withConnection(to:configuration:eventLoopGroup:logger:_:)``,
/// which closes the connection when the body returns. A long-lived owner
/// (a peer manager) uses ``connect(to:configuration:eventLoopGroup:logger:)``
/// and ``close()``.
public final class RPCClient: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<RPCConnectionHandler>
    let configuration: RPCConnectionConfiguration
    /// The largest message the server takes (its max frame size).
    public let maximumMessageSize: Int
    let creditReportThreshold: Int
    let taskExecutor: (any TaskExecutor)?
    let logger: Logger

    /// The server's authenticated identity; `nil` on a Unix domain socket.
    public let peer: PeerIdentity?

    /// The connection's event loop as a task executor (`nil` when
    /// ``RPCConnectionConfiguration/runsOnEventLoop`` is off). A task that
    /// makes many calls in a row can prefer it
    /// (`withTaskExecutorPreference(client.eventLoopExecutor) { … }`) so that
    /// not even the call's start and end cross a thread.
    public var eventLoopExecutor: (any TaskExecutor)? { self.taskExecutor }

    private init(
        channel: any Channel,
        handler: NIOLoopBound<RPCConnectionHandler>,
        configuration: RPCConnectionConfiguration,
        settings: NegotiatedSettings,
        peer: PeerIdentity?,
        logger: Logger
    ) {
        self.channel = channel
        self.handler = handler
        self.configuration = configuration
        self.maximumMessageSize = settings.maxOutboundFrameSize
        let preface = configuration.connection.preface
        let streams = max(1, Int(settings.peer.maxConcurrentStreams))
        self.creditReportThreshold = max(
            1,
            min(Int(preface.initialStreamCredit) / 2, Int(preface.initialConnectionCredit) / (2 * streams))
        )
        self.peer = peer
        self.taskExecutor = configuration.taskExecutor(for: channel.eventLoop)
        self.logger = logger
    }

    /// Connects, runs `body` with the connection, and closes it gracefully
    /// afterwards (also when `body` throws).
    public static func withConnection<Result: Sendable>(
        to transport: RPCClientTransport,
        configuration: RPCConnectionConfiguration = RPCConnectionConfiguration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        _ body: (RPCClient) async throws -> Result
    ) async throws -> Result {
        let client = try await Self.connect(to: transport, configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        return result
    }

    /// Connects and completes the TLS handshake and the preface exchange.
    /// - Throws: ``RPCError`` `UNAVAILABLE` when the server cannot be reached,
    ///   refuses the handshake (the cause is the ``PeerRefusal``) or does not
    ///   speak Kiem.
    public static func connect(
        to transport: RPCClientTransport,
        configuration: RPCConnectionConfiguration = RPCConnectionConfiguration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> RPCClient {
        var logger = logger
        let tls: (KiemTLSContext, ExpectedPeer?)?
        switch transport.kind {
        case .tls(let host, let port, let context, let expecting):
            tls = (context, expecting)
            logger[metadataKey: RPCLogKey.peer] = "\(host):\(port)"
        case .unixDomainSocket(let path):
            tls = nil
            logger[metadataKey: RPCLogKey.peer] = "unix:\(path)"
        }
        let connectionLogger = logger
        typealias Connected = (
            channel: any Channel, handler: NIOLoopBound<RPCConnectionHandler>, ready: EventLoopFuture<Void>,
            identity: EventLoopFuture<PeerIdentity>?
        )
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connected> = { channel in
            channel.eventLoop.makeCompletedFuture {
                var identity: EventLoopFuture<PeerIdentity>?
                if let (context, expecting) = tls {
                    identity = try context.addHandlers(to: channel, expecting: expecting).identity
                }
                let handler = RPCConnectionHandler(
                    role: .client,
                    configuration: configuration,
                    router: nil,
                    eventLoop: channel.eventLoop,
                    logger: connectionLogger
                )
                try channel.pipeline.syncOperations.addHandler(handler)
                return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), handler.readyFuture, identity)
            }
        }
        let bootstrap = ClientBootstrap(group: eventLoopGroup).connectTimeout(configuration.connectTimeout)
        let connected: Connected
        do {
            switch transport.kind {
            case .tls(let host, let port, _, _):
                connected = try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
            case .unixDomainSocket(let path):
                connected = try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
            }
        } catch {
            throw RPCError(code: .unavailable, message: "cannot connect: \(error)", cause: error)
        }
        let (channel, handler, ready, identity) = connected
        let timeout = channel.eventLoop.scheduleTask(in: configuration.handshakeTimeout) {
            channel.close(promise: nil)
        }
        do {
            try await ready.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            // The TLS refusal behind the failure, if there was one: the
            // handler's future, captured before the pipeline was torn down.
            var cause = error
            if let identity {
                do {
                    _ = try await identity.get()
                } catch let refusal {
                    cause = refusal
                }
            }
            if let error = cause as? RPCError {
                throw error
            }
            throw RPCError(code: .unavailable, message: "connection failed: \(cause)", cause: cause)
        }
        var peer: PeerIdentity?
        if let identity {
            peer = try? await identity.get()
            if let peer {
                logger[metadataKey: RPCLogKey.peer] = "\(peer)"
            }
        }
        let settings = try await channel.eventLoop.submit { handler.value.negotiatedSettings }.get()
        guard let settings else {
            throw RPCError(code: .unavailable, message: "connection closed during the preface exchange")
        }
        return RPCClient(channel: channel, handler: handler, configuration: configuration, settings: settings, peer: peer, logger: logger)
    }

    /// Closes gracefully: sends GOAWAY, lets calls in flight finish, closes.
    public func close() async {
        let handler = self.handler
        self.channel.eventLoop.execute {
            handler.value.beginGracefulShutdown()
            handler.value.closeIfIdle()
        }
        try? await self.channel.closeFuture.get()
    }

    /// Completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> {
        self.channel.closeFuture
    }

    /// The round-trip time of the last keep-alive PING, if one was answered.
    public func roundTripTime() async -> TimeAmount? {
        let handler = self.handler
        return try? await self.channel.eventLoop.submit { handler.value.lastRoundTripTime }.get()
    }
}
