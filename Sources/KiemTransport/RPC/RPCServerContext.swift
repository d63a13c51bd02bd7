public import KiemWire
public import Logging
public import NIOCore

/// What a server handler knows about the call it serves.
public struct RPCServerContext: Sendable {
    /// The method called.
    public let method: MethodDescriptor
    /// The stream carrying the call.
    public let streamID: StreamID
    /// Who called: the peer authenticated by mutual TLS, or `nil` on the
    /// control socket (a Unix domain socket only the daemon's user can open).
    public let peer: PeerIdentity?
    /// The request metadata from OPEN.
    public let metadata: Metadata
    /// When the call times out (the caller's timeout from OPEN, counted from
    /// its arrival); `nil` for none. When it passes, the handler's task is
    /// cancelled and the caller gets `DEADLINE_EXCEEDED`. Pass it on in
    /// ``RPCCallOptions/deadline`` to calls made on the caller's behalf.
    public let deadline: NIODeadline?
    /// A logger with `kiem.peer`, `kiem.stream` and `kiem.method` set.
    public var logger: Logger {
        get {
            if let logger = self.customLogger {
                return logger
            }
            // Made on first use: most calls never log.
            var logger = self.baseLogger
            if let peer = self.peer {
                logger[metadataKey: RPCLogKey.peer] = "\(peer)"
            }
            logger[metadataKey: RPCLogKey.stream] = "\(self.streamID)"
            logger[metadataKey: RPCLogKey.method] = "\(self.method.path)"
            return logger
        }
        set {
            self.customLogger = newValue
        }
    }

    private let baseLogger: Logger
    private var customLogger: Logger?
    let box: RPCStreamBox?

    /// Creates a context (the server makes them; tests may too).
    public init(
        method: MethodDescriptor,
        streamID: StreamID,
        peer: PeerIdentity?,
        metadata: Metadata,
        deadline: NIODeadline?,
        logger: Logger
    ) {
        self.method = method
        self.streamID = streamID
        self.peer = peer
        self.metadata = metadata
        self.deadline = deadline
        self.baseLogger = logger
        self.customLogger = logger
        self.box = nil
    }

    init(stream: RPCAcceptedStream, logger: Logger) {
        self.method = stream.route.descriptor
        self.streamID = stream.id
        self.peer = stream.peer
        self.metadata = stream.open.metadata
        self.deadline = stream.deadline
        self.baseLogger = logger
        self.customLogger = nil
        self.box = stream.box
    }

    /// Why the call was aborted, once it was: `CANCELLED` (the client
    /// cancelled), `DEADLINE_EXCEEDED`, or `UNAVAILABLE` (connection lost).
    /// A handler whose task was cancelled can read the reason here.
    public var abortStatus: RPCError? {
        self.box?.abortError
    }

    /// The time left until ``deadline``, or `nil` without one.
    public var remainingTime: TimeAmount? {
        self.deadline.map { $0 - .now() }
    }
}
