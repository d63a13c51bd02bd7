public import NIOCore

/// The protocol state of one connection, as a value: bytes are decoded
/// elsewhere, frames and local intents come in, ``ConnectionAction``s and
/// frames to write come out. Time is an input (`now`); the machine never
/// reads a clock or schedules anything.
///
/// It covers the preface exchange and version negotiation, the stream
/// registry (id allocation on the client, reuse detection on the server,
/// concurrency limits), per-stream life cycles through
/// ``StreamStateMachine``, connection- and stream-level flow-control credit,
/// deadlines, PING/PONG keep-alive, GOAWAY and graceful drain, and turns every
/// protocol violation into "send GOAWAY and close".
///
/// How a shell drives it:
/// 1. On connect, write ``localPreface`` and create a ``FrameDecoder``.
/// 2. Feed decoded items to ``receivePreface(_:now:)`` and
///    ``receiveFrame(_:now:)``, decoding errors to ``decodingFailed(_:)``,
///    and perform the returned action.
/// 3. Call the `open…`/`send…` methods for what the application does and
///    write the frames they return.
/// 4. Schedule one timer for ``nextTimerDeadline`` and call ``tick(now:)``
///    when it fires.
/// 5. After any action that ends a stream, close the connection if
///    ``isReadyToClose`` (``tick(now:)`` also reports it).
public struct ConnectionStateMachine: Sendable {
    private enum Phase: Sendable, Hashable {
        case awaitingPreface
        case active
        case closed
    }

    /// Which end this machine runs on.
    public let role: ConnectionRole
    /// This side's settings.
    public let configuration: Configuration

    private var phase: Phase
    private let startedAt: NIODeadline
    /// What both prefaces agreed, once the peer's preface was accepted.
    public private(set) var settings: NegotiatedSettings?

    private var streams: [StreamID: StreamStateMachine]
    /// Client: the id the next stream gets.
    private var nextStreamID: UInt32
    /// Server: the highest stream id the peer opened (or tried to).
    private var highestPeerStreamID: UInt32

    /// Connection-level credit (what this side may send is 0 until the
    /// peer's preface announces it).
    private var window: FlowControlWindow

    private var goAwaySent: StreamID?
    private var goAwayReceived: StreamID?

    private var lastFrameReceivedAt: NIODeadline
    private var outstandingPing: (data: UInt64, sentAt: NIODeadline)?
    private var pingCounter: UInt64
    private var lastPeerPingAt: NIODeadline?
    private var pingStrikes: Int

    /// Creates the machine for a connection that has just been established.
    /// - Parameters:
    ///   - role: client (dialed) or server (accepted).
    ///   - configuration: this side's settings.
    ///   - now: the current time; starts the preface timeout.
    public init(role: ConnectionRole, configuration: Configuration = Configuration(), now: NIODeadline) {
        precondition(configuration.preface.validationFailure == nil, "invalid local preface: \(configuration.preface.validationFailure!)")
        self.role = role
        self.configuration = configuration
        self.phase = .awaitingPreface
        self.startedAt = now
        self.settings = nil
        self.streams = [:]
        self.nextStreamID = 1
        self.highestPeerStreamID = 0
        self.window = FlowControlWindow(.connection, sendCredit: 0, receiveCredit: configuration.preface.initialConnectionCredit)
        self.goAwaySent = nil
        self.goAwayReceived = nil
        self.lastFrameReceivedAt = now
        self.outstandingPing = nil
        self.pingCounter = 0
        self.lastPeerPingAt = nil
        self.pingStrikes = 0
    }

    // MARK: - Inspection

    /// The preface to write as soon as the connection is up.
    public var localPreface: Preface { self.configuration.preface }

    /// Whether frames may be exchanged (the peer's preface was accepted and
    /// the connection is not closed).
    public var isActive: Bool { self.phase == .active }

    /// Whether the connection is closed as far as the protocol goes.
    public var isClosed: Bool { self.phase == .closed }

    /// The number of streams that have not finished.
    public var activeStreamCount: Int { self.streams.count }

    /// The ids of streams that have not finished, in order.
    public var activeStreamIDs: [StreamID] { self.streams.keys.sorted() }

    /// The state of a stream that has not finished.
    public func stream(_ id: StreamID) -> StreamStateMachine? { self.streams[id] }

    /// Whether a GOAWAY was sent or received and no stream is left: the shell
    /// should close the connection.
    public var isReadyToClose: Bool {
        self.phase == .closed || (self.isDraining && self.streams.isEmpty)
    }

    /// Whether a GOAWAY was sent or received (no new streams).
    public var isDraining: Bool { self.goAwaySent != nil || self.goAwayReceived != nil }

    /// MESSAGE bytes this side may still send on the connection.
    public var connectionSendCredit: Int64 { self.window.sendCredit }

    /// MESSAGE bytes the peer may still send on the connection.
    public var connectionReceiveCredit: Int64 { self.window.receiveCredit }

    // MARK: - Inbound

    /// The peer's preface arrived.
    /// - Returns: ``ConnectionAction/prefaceAccepted(_:)``, or
    ///   ``ConnectionAction/closeConnection(_:)`` with GOAWAY
    ///   `UNSUPPORTED_VERSION` when no version is common, `PROTOCOL_ERROR` for
    ///   an invalid or second preface.
    public mutating func receivePreface(_ preface: Preface, now: NIODeadline) -> ConnectionAction {
        switch self.phase {
        case .awaitingPreface:
            switch self.configuration.preface.negotiate(with: preface) {
            case .success(let settings):
                self.settings = settings
                self.phase = .active
                self.window.announceSendCredit(preface.initialConnectionCredit)
                self.lastFrameReceivedAt = now
                return .prefaceAccepted(settings)
            case .failure(let error):
                return self.fail(error)
            }
        case .active:
            return self.fail(.protocolError("second preface"))
        case .closed:
            return .none
        }
    }

    /// The decoder failed: the byte stream is unusable.
    /// - Returns: ``ConnectionAction/closeConnection(_:)`` with the GOAWAY for
    ///   the error (`FRAME_SIZE_ERROR` for an oversized frame,
    ///   `PROTOCOL_ERROR` otherwise); ``ConnectionAction/none`` if already closed.
    public mutating func decodingFailed(_ error: FrameDecodingError) -> ConnectionAction {
        guard self.phase != .closed else { return .none }
        return self.fail(error.connectionError)
    }

    /// A frame arrived.
    public mutating func receiveFrame(_ frame: Frame, now: NIODeadline) -> ConnectionAction {
        switch self.phase {
        case .awaitingPreface:
            return self.fail(.protocolError("\(frame.type) frame before the preface"))
        case .closed:
            return .none
        case .active:
            break
        }
        self.lastFrameReceivedAt = now
        do {
            return try self.handleFrame(frame, now: now)
        } catch {
            return self.fail(error)
        }
    }

    private mutating func handleFrame(_ frame: Frame, now: NIODeadline) throws(ConnectionError) -> ConnectionAction {
        let id = frame.streamID
        // The decoder enforces these already; frames built by hand must obey them too.
        switch frame.type.requiresConnectionStream {
        case true?:
            guard id.isConnection else { throw .protocolError("\(frame.type) on stream \(id)") }
        case false?:
            guard id.isClientInitiated else { throw .protocolError("\(frame.type) on invalid stream id \(id)") }
        case nil:
            guard id.isConnection || id.isClientInitiated else { throw .protocolError("CREDIT on invalid stream id \(id)") }
        }

        switch frame.payload {
        case .open(let open, let endStream):
            return try self.receiveOpen(id, open, endStream: endStream, now: now)

        case .message(let bytes, let endStream):
            let length = bytes.readableBytes
            try self.window.receive(length: length)
            if self.streams[id] != nil {
                let disposition = try self.streams[id]!.receiveMessage(length: length, endStream: endStream)
                switch disposition {
                case .deliver:
                    return .deliverMessage(id, bytes, endStream: endStream)
                case .discard:
                    return self.discardedMessage(length: length)
                }
            }
            try self.requireClosed(id, frame)
            return self.discardedMessage(length: length)

        case .halfClose:
            if self.streams[id] != nil {
                switch try self.streams[id]!.receiveHalfClose() {
                case .deliver: return .deliverHalfClose(id)
                case .discard: return .none
                }
            }
            if self.role == .client {
                throw .protocolError("HALF_CLOSE from the server on stream \(id)")
            }
            try self.requireClosed(id, frame)
            return .none

        case .trailers(let trailers):
            guard self.role == .client else {
                throw .protocolError("TRAILERS from the client on stream \(id)")
            }
            if self.streams[id] != nil {
                let disposition = try self.streams[id]!.receiveTrailers()
                self.streams[id] = nil
                switch disposition {
                case .deliver: return .deliverTrailers(id, trailers)
                case .discard: return .none
                }
            }
            try self.requireClosed(id, frame)
            return .none

        case .reset(let reset):
            if self.streams[id] != nil {
                let disposition = self.streams[id]!.receiveReset(code: reset.code)
                self.streams[id] = nil
                switch disposition {
                case .deliver: return .streamFailed(id, reset.error, send: nil)
                case .discard: return .none
                }
            }
            try self.requireClosed(id, frame)
            return .none

        case .ping(let data):
            if let last = self.lastPeerPingAt, now - last < self.configuration.minimumInboundPingInterval {
                self.pingStrikes += 1
                if self.pingStrikes > self.configuration.maximumPingStrikes {
                    throw ConnectionError(.enhanceYourCalm, "too many PINGs")
                }
            } else {
                self.pingStrikes = 0
            }
            self.lastPeerPingAt = now
            return .send(.pong(data))

        case .pong(let data):
            guard let outstanding = self.outstandingPing, outstanding.data == data else {
                return .none
            }
            self.outstandingPing = nil
            return .pongReceived(rtt: now - outstanding.sentAt)

        case .goAway(let goAway):
            return self.receiveGoAway(goAway)

        case .credit(let increment):
            guard increment > 0, increment <= Preface.maximumWindow else {
                throw .protocolError("CREDIT increment \(increment) outside 1...\(Preface.maximumWindow)")
            }
            if id.isConnection {
                return try self.window.grant(increment) ? .resumeWrites(nil) : .none
            }
            if self.streams[id] != nil {
                let resumed = try self.streams[id]!.receiveCredit(increment)
                return resumed && self.window.canSend ? .resumeWrites(id) : .none
            }
            try self.requireClosed(id, frame)
            return .none
        }
    }

    private mutating func receiveOpen(
        _ id: StreamID,
        _ open: Frame.Open,
        endStream: Bool,
        now: NIODeadline
    ) throws(ConnectionError) -> ConnectionAction {
        guard self.role == .server else {
            throw .protocolError("OPEN from the server")
        }
        guard id.rawValue > self.highestPeerStreamID else {
            throw .protocolError("stream id \(id) reused or not increasing (highest so far \(self.highestPeerStreamID))")
        }
        self.highestPeerStreamID = id.rawValue
        if self.goAwaySent != nil || self.goAwayReceived != nil {
            return .send(.reset(id, code: .unavailable, message: "connection is shutting down"))
        }
        guard self.streams.count < Int(self.configuration.preface.maxConcurrentStreams) else {
            return .send(
                .reset(
                    id,
                    code: .resourceExhausted,
                    message: "too many concurrent streams (limit \(self.configuration.preface.maxConcurrentStreams))"
                )
            )
        }
        var stream = self.makeStream(id)
        try stream.receiveOpen(open, endStream: endStream, now: now)
        self.streams[id] = stream
        return .streamOpened(id, open, endStream: endStream, deadline: stream.deadline)
    }

    private mutating func receiveGoAway(_ goAway: Frame.GoAway) -> ConnectionAction {
        let last = min(goAway.lastStreamID, self.goAwayReceived ?? goAway.lastStreamID)
        self.goAwayReceived = last
        if goAway.code != .noError {
            let error = ConnectionError(goAway.code, "peer sent GOAWAY: \(goAway.reason)")
            return self.close(goAway: nil, error: error)
        }
        var failed: [StreamID] = []
        if self.role == .client {
            for id in self.streams.keys where id > last {
                failed.append(id)
            }
            failed.sort()
            for id in failed {
                self.streams[id] = nil
            }
        }
        return .goAwayReceived(goAway, failedStreams: failed)
    }

    /// A frame for a stream that is not active must be for one that was
    /// active once (it crossed the stream's end on the wire); a frame for a
    /// stream that was never opened is a protocol error.
    private func requireClosed(_ id: StreamID, _ frame: Frame) throws(ConnectionError) {
        let wasOpened: Bool
        switch self.role {
        case .client: wasOpened = id.rawValue < self.nextStreamID
        case .server: wasOpened = id.rawValue <= self.highestPeerStreamID
        }
        guard wasOpened else {
            throw .protocolError("\(frame.type) on idle stream \(id)")
        }
    }

    private mutating func discardedMessage(length: Int) -> ConnectionAction {
        if let increment = self.window.consumed(bytes: length) {
            return .send(.credit(.connection, increment))
        }
        return .none
    }

    // MARK: - Outbound

    /// Client: opens a stream and returns its OPEN frame; the new stream's id
    /// is the frame's ``Frame/streamID``.
    /// - Parameters:
    ///   - path: the method path, e.g. ``MethodDescriptor/Sync/pull``'s.
    ///   - metadata: request metadata.
    ///   - timeout: the call's time budget from `now`; `nil` for none.
    ///   - endStream: set END_STREAM on OPEN (the call sends no messages).
    ///   - now: the current time.
    /// - Throws: `INVALID_ARGUMENT` for a path not starting with "/" or an
    ///   invalid metadata key; `UNAVAILABLE` when the connection is not
    ///   active, draining or out of stream ids; `RESOURCE_EXHAUSTED` when the peer's concurrent
    ///   stream limit is reached or the OPEN frame would exceed the peer's max
    ///   frame size; `DEADLINE_EXCEEDED` for a timeout that has already
    ///   passed; `INTERNAL` on a server.
    public mutating func openStream(
        path: String,
        metadata: Metadata = Metadata(),
        timeout: TimeAmount?,
        endStream: Bool = false,
        now: NIODeadline
    ) throws(RPCError) -> Frame {
        guard self.role == .client else {
            throw RPCError(code: .internalError, message: "a server cannot open streams")
        }
        guard self.phase == .active, let settings = self.settings else {
            throw RPCError(code: .unavailable, message: self.phase == .closed ? "connection closed" : "connection not ready")
        }
        guard !self.isDraining else {
            throw RPCError(code: .unavailable, message: "connection is shutting down")
        }
        guard self.nextStreamID <= StreamID.maximum.rawValue else {
            throw RPCError(code: .unavailable, message: "stream ids exhausted; open a new connection")
        }
        guard self.streams.count < Int(settings.peer.maxConcurrentStreams) else {
            throw RPCError(
                code: .resourceExhausted,
                message: "peer's limit of \(settings.peer.maxConcurrentStreams) concurrent streams reached"
            )
        }
        guard path.utf8.first == UInt8(ascii: "/") else {
            throw RPCError(code: .invalidArgument, message: "method path \"\(path)\" does not start with \"/\"")
        }
        try Self.validate(metadata)
        var timeoutMicroseconds: UInt64?
        if let timeout {
            guard timeout.nanoseconds > 0 else {
                throw RPCError(code: .deadlineExceeded, message: "deadline passed before the call started")
            }
            // Round up so the server never sees a shorter budget than ours.
            timeoutMicroseconds = UInt64((timeout.nanoseconds + 999) / 1000)
        }
        let id = StreamID(self.nextStreamID)
        let open = Frame.Open(path: path, timeoutMicroseconds: timeoutMicroseconds, metadata: metadata)
        let frame = Frame.open(id, open, endStream: endStream)
        guard frame.encodedPayloadLength <= settings.maxOutboundFrameSize else {
            throw RPCError(code: .resourceExhausted, message: "OPEN frame exceeds the peer's max frame size")
        }
        var stream = self.makeStream(id)
        try stream.sendOpen(open, endStream: endStream, now: now)
        self.nextStreamID += 2
        self.streams[id] = stream
        return frame
    }

    /// The result of ``ConnectionStateMachine/sendMessage(_:on:endStream:)``.
    public enum SendMessageResult: Sendable, Hashable {
        /// Write this MESSAGE frame.
        case send(Frame)
        /// No credit (stream or connection): nothing changed. Keep the message
        /// and try again after ``ConnectionAction/resumeWrites(_:)``.
        case blocked
    }

    /// Sends one encoded message on a stream.
    /// - Throws: `RESOURCE_EXHAUSTED` if the message exceeds the peer's max
    ///   frame size; `FAILED_PRECONDITION` if the stream is not active;
    ///   `INTERNAL` for a message this side may not send in the stream's state.
    public mutating func sendMessage(_ bytes: ByteBuffer, on id: StreamID, endStream: Bool = false) throws(RPCError) -> SendMessageResult {
        guard self.phase == .active, let settings = self.settings else {
            throw RPCError(code: .unavailable, message: "connection not active")
        }
        guard bytes.readableBytes <= settings.maxOutboundFrameSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "message of \(bytes.readableBytes) bytes exceeds the peer's max frame size of \(settings.maxOutboundFrameSize)"
            )
        }
        guard self.streams[id] != nil else {
            throw self.notActive(id)
        }
        guard self.window.canSend else {
            return .blocked
        }
        guard try self.streams[id]!.sendMessage(length: bytes.readableBytes, endStream: endStream) else {
            return .blocked
        }
        _ = self.window.send(length: bytes.readableBytes)
        return .send(.message(id, bytes, endStream: endStream))
    }

    /// Whether a message on `id` would be sent now rather than blocked.
    public func canSendMessage(on id: StreamID) -> Bool {
        self.phase == .active && self.window.canSend && (self.streams[id]?.hasSendCredit ?? false)
    }

    /// Client: no more messages on the stream.
    public mutating func sendHalfClose(on id: StreamID) throws(RPCError) -> Frame {
        guard self.phase == .active, self.streams[id] != nil else {
            throw self.notActive(id)
        }
        try self.streams[id]!.sendHalfClose()
        return .halfClose(id)
    }

    /// Server: finish the call with trailers. The stream is gone afterwards.
    /// - Throws: `INVALID_ARGUMENT` for an invalid metadata key (nothing
    ///   changes); `FAILED_PRECONDITION` if the stream is not active.
    public mutating func sendTrailers(_ trailers: Frame.Trailers, on id: StreamID) throws(RPCError) -> Frame {
        guard self.phase == .active, self.streams[id] != nil else {
            throw self.notActive(id)
        }
        try Self.validate(trailers.metadata)
        try self.streams[id]!.sendTrailers()
        self.streams[id] = nil
        return .trailers(id, trailers)
    }

    /// Ends a stream abruptly (cancellation, handler failure).
    /// - Returns: the RST frame to write, or `nil` if the stream is not active
    ///   (already finished: nothing to do).
    public mutating func resetStream(_ id: StreamID, code: StatusCode, message: String = "") -> Frame? {
        guard self.phase == .active, self.streams[id] != nil else {
            return nil
        }
        let send = self.streams[id]!.sendReset(code: code)
        self.streams[id] = nil
        return send ? .reset(id, code: code, message: message) : nil
    }

    /// The application processed `bytes` of MESSAGE payload received on `id`.
    /// - Returns: CREDIT frames to write (stream and/or connection), once at
    ///   least half of a window was consumed; usually none.
    public mutating func messageConsumed(bytes: Int, on id: StreamID) -> [Frame] {
        guard self.phase == .active, bytes > 0 else { return [] }
        var frames: [Frame] = []
        if let increment = self.streams[id]?.consumed(bytes: bytes) {
            frames.append(.credit(id, increment))
        }
        if let increment = self.window.consumed(bytes: bytes) {
            frames.append(.credit(.connection, increment))
        }
        return frames
    }

    /// Sends a PING now (e.g. to measure round-trip time).
    /// - Returns: the PING frame, or `nil` if one is already outstanding or
    ///   the connection is not active.
    public mutating func sendPing(now: NIODeadline) -> Frame? {
        guard self.phase == .active, self.outstandingPing == nil else { return nil }
        self.pingCounter &+= 1
        self.outstandingPing = (self.pingCounter, now)
        return .ping(self.pingCounter)
    }

    /// Starts a graceful shutdown: tells the peer that no new streams will be
    /// accepted, lets active streams finish.
    /// - Returns: the GOAWAY (`NO_ERROR`) to write, or `nil` if one was
    ///   already sent or the connection is not active. Close once
    ///   ``isReadyToClose``.
    public mutating func beginGracefulShutdown(reason: String = "shutting down") -> Frame? {
        guard self.phase == .active, self.goAwaySent == nil else { return nil }
        let last = self.lastProcessedStreamID
        self.goAwaySent = last
        return .goAway(Frame.GoAway(lastStreamID: last, code: .noError, reason: reason))
    }

    /// The transport closed (or this side closes it without more ado).
    /// - Returns: the streams that had not finished; fail them with `UNAVAILABLE`.
    public mutating func connectionClosed() -> [StreamID] {
        let failed = self.streams.keys.sorted()
        self.streams.removeAll()
        self.phase = .closed
        return failed
    }

    // MARK: - Time

    /// The earliest time at which ``tick(now:)`` has something to do, or
    /// `nil` if nothing is scheduled.
    ///
    /// Costs O(active streams). A shell need not recompute it after every
    /// frame: a timer that fires early is harmless (``tick(now:)`` does only
    /// what is due), so recompute after ticking and after opening a stream.
    public var nextTimerDeadline: NIODeadline? {
        switch self.phase {
        case .closed:
            return nil
        case .awaitingPreface:
            return self.startedAt + self.configuration.prefaceTimeout
        case .active:
            var next: NIODeadline?
            func consider(_ deadline: NIODeadline) {
                next = next.map { Swift.min($0, deadline) } ?? deadline
            }
            if let ping = self.outstandingPing {
                consider(ping.sentAt + self.configuration.keepAliveTimeout)
            } else if let interval = self.configuration.keepAliveInterval {
                consider(self.lastFrameReceivedAt + interval)
            }
            for stream in self.streams.values {
                if let deadline = stream.deadline {
                    consider(deadline)
                }
            }
            return next
        }
    }

    /// Time passed: checks the preface timeout, keep-alive, stream deadlines
    /// and whether a draining connection can close.
    /// - Returns: actions in order: ``ConnectionAction/streamFailed(_:_:send:)``
    ///   with an RST `DEADLINE_EXCEEDED` per expired stream,
    ///   ``ConnectionAction/send(_:)`` of a keep-alive PING, or a single
    ///   ``ConnectionAction/closeConnection(_:)``.
    public mutating func tick(now: NIODeadline) -> [ConnectionAction] {
        switch self.phase {
        case .closed:
            return []
        case .awaitingPreface:
            if now >= self.startedAt + self.configuration.prefaceTimeout {
                return [self.fail(ConnectionError(.timeout, "no preface within \(self.configuration.prefaceTimeout)"))]
            }
            return []
        case .active:
            break
        }
        if let ping = self.outstandingPing, now >= ping.sentAt + self.configuration.keepAliveTimeout {
            return [self.fail(ConnectionError(.timeout, "PING unanswered for \(self.configuration.keepAliveTimeout)"))]
        }
        var actions: [ConnectionAction] = []
        var expired: [StreamID] = []
        for (id, stream) in self.streams where stream.isExpired(at: now) {
            expired.append(id)
        }
        expired.sort()
        for id in expired {
            _ = self.streams[id]!.expire(now: now)
            self.streams[id] = nil
            actions.append(
                .streamFailed(
                    id,
                    RPCError(code: .deadlineExceeded, message: "deadline exceeded"),
                    send: .reset(id, code: .deadlineExceeded, message: "deadline exceeded")
                )
            )
        }
        if self.outstandingPing == nil, let interval = self.configuration.keepAliveInterval,
            now >= self.lastFrameReceivedAt + interval, let ping = self.sendPing(now: now)
        {
            actions.append(.send(ping))
        }
        if self.isDraining && self.streams.isEmpty {
            actions.append(self.close(goAway: nil, error: nil))
        }
        return actions
    }

    // MARK: - Helpers

    private func makeStream(_ id: StreamID) -> StreamStateMachine {
        StreamStateMachine(
            id: id,
            role: self.role,
            initialSendCredit: self.settings?.peer.initialStreamCredit ?? 0,
            initialReceiveCredit: self.configuration.preface.initialStreamCredit
        )
    }

    /// The last stream id this side processed, for GOAWAY.
    private var lastProcessedStreamID: StreamID {
        switch self.role {
        case .server: StreamID(self.highestPeerStreamID)
        case .client: .connection
        }
    }

    /// Refuses metadata the peer would reject (and close the connection for).
    private static func validate(_ metadata: Metadata) throws(RPCError) {
        for entry in metadata where !Metadata.isValidKey(entry.key) {
            throw RPCError(code: .invalidArgument, message: "invalid metadata key \"\(entry.key)\" (1 to 255 bytes of a-z 0-9 - _ .)")
        }
    }

    private func notActive(_ id: StreamID) -> RPCError {
        RPCError(code: .failedPrecondition, message: "stream \(id) is not active")
    }

    /// A connection error: GOAWAY with the error, then close.
    private mutating func fail(_ error: ConnectionError) -> ConnectionAction {
        let goAway = Frame.goAway(Frame.GoAway(lastStreamID: self.lastProcessedStreamID, code: error.code, reason: error.reason))
        return self.close(goAway: goAway, error: error)
    }

    private mutating func close(goAway: Frame?, error: ConnectionError?) -> ConnectionAction {
        let failed = self.streams.keys.sorted()
        self.streams.removeAll()
        self.phase = .closed
        let streamError = RPCError(
            code: .unavailable,
            message: error.map { "connection closed: \($0)" } ?? "connection closed",
            cause: error
        )
        return .closeConnection(
            .init(goAway: goAway, error: error, failedStreams: failed, streamError: streamError)
        )
    }
}
