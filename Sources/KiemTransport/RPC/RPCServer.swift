import Foundation
import KiemProtocol
import KiemWire
public import Logging
public import NIOCore
public import NIOPosix
import Synchronization

/// A Kiem RPC server: accepts connections (mutual TLS 1.3 over TCP, or a
/// Unix domain socket for the control API), speaks the WIRE.md protocol on
/// each, and runs the ``RPCRouter``'s handlers for the streams clients open.
///
/// Two steps, so that a caller can learn the bound address (port 0) before
/// serving:
///
/// ```swift
/// let server = try await RPCServer.bind(.tls(host: "127.0.0.1", port: 0, context: tls), router: router, logger: logger)
/// try await withGracefulShutdownHandler {
///     try await server.run()
/// } onGracefulShutdown: {
///     server.beginGracefulShutdown()
/// }
/// ```
///
/// Structure: the listener is a `NIOAsyncChannel` of connections; each
/// connection is a child task in a discarding task group and is itself a
/// `NIOAsyncChannel` whose inbound elements are the streams clients open;
/// each stream's handler is a child task of its connection's task. Nothing
/// runs in an unstructured task. Cancelling ``run()`` stops at once: every
/// connection closes and every handler is cancelled.
/// ``beginGracefulShutdown()`` stops accepting, sends GOAWAY on every
/// connection, lets the calls in flight finish, and ``run()`` returns when
/// the last connection has closed.
public final class RPCServer: Sendable {
    /// The ALPN protocol id of Kiem connections (WIRE.md section 2).
    public static let applicationProtocol = "kiem"

    private typealias Connection = NIOAsyncChannel<RPCAcceptedStream, Never>

    /// The address the server listens on (with the actual port when bound to 0).
    public let localAddress: SocketAddress?

    private let listener: NIOAsyncChannel<Connection, Never>
    private let registry: ConnectionRegistry
    private let socketPath: String?
    private let configuration: RPCConnectionConfiguration
    private let logger: Logger

    private init(
        listener: NIOAsyncChannel<Connection, Never>,
        registry: ConnectionRegistry,
        socketPath: String?,
        configuration: RPCConnectionConfiguration,
        logger: Logger
    ) {
        self.configuration = configuration
        self.listener = listener
        self.localAddress = listener.channel.localAddress
        self.registry = registry
        self.socketPath = socketPath
        self.logger = logger
    }

    /// Binds the listener. Call ``run()`` to serve.
    /// - Parameters:
    ///   - transport: where to listen, with TLS or on a Unix domain socket.
    ///   - router: the methods served.
    ///   - configuration: protocol settings for every connection.
    ///   - limits: how many connections it keeps open, in all and per node.
    ///   - eventLoopGroup: the event loops connections run on.
    ///   - logger: receives connection and call log lines (`kiem.peer`,
    ///     `kiem.stream`, `kiem.method`).
    public static func bind(
        _ transport: RPCServerTransport,
        router: RPCRouter,
        configuration: RPCConnectionConfiguration = RPCConnectionConfiguration(),
        limits: RPCConnectionLimits = RPCConnectionLimits(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> RPCServer {
        let registry = ConnectionRegistry(limits: limits, logger: logger)
        let tls: KiemTLSContext?
        switch transport.kind {
        case .tls(_, _, let context): tls = context
        case .unixDomainSocket: tls = nil
        }
        let maximumStreams = Int(configuration.connection.preface.maxConcurrentStreams)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try registry.accept(channel)
                if let tls {
                    try tls.addHandlers(to: channel)
                    registry.limitPerPeer(channel)
                }
                var connectionLogger = logger
                connectionLogger[metadataKey: RPCLogKey.peer] = "\(channel.remoteAddress.map { "\($0)" } ?? "local")"
                let handler = RPCConnectionHandler(
                    role: .server,
                    configuration: configuration,
                    router: router,
                    eventLoop: channel.eventLoop,
                    logger: connectionLogger
                )
                try channel.pipeline.syncOperations.addHandler(handler)
                // Streams wait here only until the connection task starts
                // their handlers; the state machine caps them at the
                // concurrency limit, so never stop reading because of them.
                let connection = try Connection(
                    wrappingChannelSynchronously: channel,
                    configuration: .init(
                        backPressureStrategy: .init(lowWatermark: maximumStreams, highWatermark: maximumStreams + 1)
                    )
                )
                registry.add(channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                return connection
            }
        }
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
        switch transport.kind {
        case .tls(let host, let port, _):
            let listener = try await bootstrap
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port, childChannelInitializer: initializer)
            logger.info("RPC server listening", metadata: ["kiem.address": "\(listener.channel.localAddress.map { "\($0)" } ?? "?")"])
            return RPCServer(listener: listener, registry: registry, socketPath: nil, configuration: configuration, logger: logger)
        case .unixDomainSocket(let path, let permissions):
            let listener = try await bootstrap.bind(
                unixDomainSocketPath: path,
                cleanupExistingSocketFile: true,
                childChannelInitializer: initializer
            )
            do {
                try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: permissions)], ofItemAtPath: path)
            } catch {
                try? await listener.channel.close()
                throw error
            }
            logger.info("RPC server listening", metadata: ["kiem.address": "unix:\(path)"])
            return RPCServer(listener: listener, registry: registry, socketPath: path, configuration: configuration, logger: logger)
        }
    }

    /// Serves until ``beginGracefulShutdown()`` has drained every connection,
    /// or until the task is cancelled (then everything stops at once).
    public func run() async throws {
        defer {
            if let socketPath = self.socketPath {
                try? FileManager.default.removeItem(atPath: socketPath)
            }
        }
        try await withThrowingDiscardingTaskGroup { group in
            try await self.listener.executeThenClose { connections in
                for try await connection in connections {
                    // The connection's task, and so its handlers, prefer
                    // the connection's event loop (see
                    // RPCConnectionConfiguration.runsOnEventLoop).
                    group.addTask(executorPreference: self.configuration.taskExecutor(for: connection.channel.eventLoop)) {
                        await self.serve(connection)
                    }
                }
            }
        }
    }

    /// Stops accepting connections, sends GOAWAY on every connection and lets
    /// the calls in flight finish; ``run()`` returns once all have closed.
    /// Streams opened after the GOAWAY are refused with `UNAVAILABLE`.
    public func beginGracefulShutdown() {
        self.logger.info("RPC server shutting down gracefully")
        let connections = self.registry.beginShutdown()
        self.listener.channel.close(promise: nil)
        for handler in connections {
            handler.eventLoop.execute {
                handler.value.beginGracefulShutdown()
            }
        }
    }

    /// Closes a listener that will not be served (``run()`` was never
    /// called), e.g. when a later step of start-up failed.
    public func closeUnserved() async {
        try? await listener.channel.close()
        if let socketPath { try? FileManager.default.removeItem(atPath: socketPath) }
    }

    /// The number of open connections.
    public var connectionCount: Int {
        self.registry.count
    }

    /// Closes every open connection whose TLS peer `matches`, e.g. a node
    /// that may no longer connect; the calls on them end as if the network
    /// had dropped. A connection still in its handshake is not matched.
    /// - Returns: how many connections were closed.
    @discardableResult
    public func closeConnections(where matches: (PeerIdentity) -> Bool) -> Int {
        self.registry.close(where: matches)
    }

    private func serve(_ connection: Connection) async {
        var logger = self.logger
        logger[metadataKey: RPCLogKey.peer] = "\(connection.channel.remoteAddress.map { "\($0)" } ?? "local")"
        let connectionLogger = logger
        do {
            try await connection.executeThenClose { streams in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await stream in streams {
                        group.addTask {
                            await Self.handle(stream, logger: connectionLogger)
                        }
                    }
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["kiem.error": "\(error)"])
        }
        self.registry.remove(connection.channel)
    }

    /// Runs one call's handler; cancels it if the stream is aborted (RST from
    /// the client, deadline, connection lost) before it returns.
    private static func handle(_ stream: RPCAcceptedStream, logger: Logger) async {
        let context = RPCServerContext(stream: stream, logger: logger)
        let box = stream.box
        let route = stream.route
        await withDiscardingTaskGroup { group in
            group.addTask {
                await route.run(box, context)
                box.markHandlerReturned()
            }
            if await box.waitForHandlerStop() == .streamAborted {
                group.cancelAll()
            }
        }
    }
}

/// The server's open connections, for graceful shutdown and the
/// connection limits.
private final class ConnectionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: NIOLoopBound<RPCConnectionHandler>] = [:]
        /// The open connections whose TLS handshake named their peer.
        var authenticated: [ObjectIdentifier: (peer: PeerIdentity, channel: any Channel)] = [:]
        var table: RPCConnectionLimits.Table
        var shuttingDown = false
    }

    private let state: Mutex<State>
    private let logger: Logger

    init(limits: RPCConnectionLimits, logger: Logger) {
        self.state = Mutex(State(table: RPCConnectionLimits.Table(limits: limits)))
        self.logger = logger
    }

    /// Counts a connection just accepted.
    /// - Throws: ``RPCError`` (`RESOURCE_EXHAUSTED`) over the total limit;
    ///   the channel is then closed.
    func accept(_ channel: any Channel) throws {
        let key = ObjectIdentifier(channel)
        let accepted = self.state.withLock { $0.table.accept(key) }
        guard accepted else {
            let limit = self.state.withLock { $0.table.limits.total }
            self.logger.warning("refused a connection over the limit", metadata: [
                "kiem.address": "\(channel.remoteAddress.map { "\($0)" } ?? "?")", "kiem.limit": "\(limit)",
            ])
            throw RPCError(code: .resourceExhausted, message: "the server holds \(limit) connections, its limit")
        }
        channel.closeFuture.whenComplete { _ in
            self.remove(channel)
        }
    }

    /// Closes the connection right after its TLS handshake if its node
    /// already holds as many connections as allowed; otherwise remembers
    /// its peer for ``close(where:)``.
    func limitPerPeer(_ channel: any Channel) {
        channel.kiemPeerIdentity().whenSuccess { peer in
            let (admitted, limit) = self.state.withLock { state in
                let key = ObjectIdentifier(channel)
                let admitted = state.table.authenticate(key, as: peer.node)
                if admitted, state.table.open.contains(key) { state.authenticated[key] = (peer, channel) }
                return (admitted, state.table.limits.perPeer)
            }
            guard !admitted else { return }
            self.logger.warning("closed a connection over the limit per peer", metadata: [
                "kiem.peer": "\(peer)", "kiem.limit": "\(limit)",
            ])
            channel.close(promise: nil)
        }
    }

    func add(_ channel: any Channel, handler: NIOLoopBound<RPCConnectionHandler>) {
        let key = ObjectIdentifier(channel)
        let shuttingDown = self.state.withLock { state in
            state.connections[key] = handler
            return state.shuttingDown
        }
        if shuttingDown {
            handler.value.beginGracefulShutdown()
        }
    }

    func remove(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        self.state.withLock { state in
            state.connections.removeValue(forKey: key)
            state.authenticated.removeValue(forKey: key)
            state.table.remove(key)
        }
    }

    /// Closes the authenticated connections whose peer `matches`.
    func close(where matches: (PeerIdentity) -> Bool) -> Int {
        let channels = self.state.withLock { state in
            state.authenticated.values.filter { matches($0.peer) }.map(\.channel)
        }
        for channel in channels {
            channel.close(promise: nil)
        }
        return channels.count
    }

    func beginShutdown() -> [NIOLoopBound<RPCConnectionHandler>] {
        self.state.withLock { state in
            state.shuttingDown = true
            return Array(state.connections.values)
        }
    }

    var count: Int {
        self.state.withLock { $0.connections.count }
    }
}
