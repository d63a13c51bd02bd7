public import KiemWire
public import NIOCore

/// Settings of one end of an RPC connection, client or server.
public struct RPCConnectionConfiguration: Sendable {
    /// The protocol settings: the preface this side announces (max frame
    /// size, initial stream and connection credit, max concurrent streams),
    /// keep-alive and preface timeouts. See WIRE.md sections 3, 9 and 11.
    public var connection: ConnectionStateMachine.Configuration

    /// Bytes of encoded messages a stream's writers may queue beyond what was
    /// sent; a writer waits above it and resumes when half of it went out.
    /// Together with the peer's stream credit this bounds what a slow peer
    /// can make this side hold per stream.
    public var outboundBufferLimit: Int

    /// Counts the streams whose writers wait at ``outboundBufferLimit`` (nil:
    /// not counted).
    public var waitingWriters: RPCWaitingWriters?

    /// How long dialling (TCP connect, or the Unix socket connect) may take.
    public var connectTimeout: TimeAmount

    /// How long a client waits for the TLS handshake and the server's
    /// preface after connecting.
    public var handshakeTimeout: TimeAmount

    /// Whether server handlers, and the internals of client calls, run on
    /// the connection's event loop (as their task executor preference)
    /// rather than on Swift's global concurrent executor.
    ///
    /// On (the default), a call crosses no thread between the socket and
    /// the code reading or writing its messages, which is what keeps
    /// latency low and throughput high. The price: a handler that computes
    /// for long without suspending holds up the other connections on that
    /// loop. Such work belongs in a task without the preference (e.g.
    /// `withTaskExecutorPreference(globalConcurrentExecutor) { … }`), or
    /// turn this off.
    public var runsOnEventLoop: Bool

    /// Creates a configuration; the defaults are Kiem's.
    public init(
        connection: ConnectionStateMachine.Configuration = ConnectionStateMachine.Configuration(),
        outboundBufferLimit: Int = 128 * 1024,
        connectTimeout: TimeAmount = .seconds(10),
        handshakeTimeout: TimeAmount = .seconds(10),
        runsOnEventLoop: Bool = true
    ) {
        self.connection = connection
        self.outboundBufferLimit = outboundBufferLimit
        self.connectTimeout = connectTimeout
        self.handshakeTimeout = handshakeTimeout
        self.runsOnEventLoop = runsOnEventLoop
    }

    /// The task executor preference for work on a connection of `eventLoop`.
    func taskExecutor(for eventLoop: any EventLoop) -> (any TaskExecutor)? {
        self.runsOnEventLoop ? EventLoopTaskExecutor(eventLoop) : nil
    }
}
