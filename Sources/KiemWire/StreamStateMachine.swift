public import NIOCore

/// The life cycle of one stream, as seen from one end of the connection.
///
/// Each side of a stream moves forward only: idle → open → closed. The client
/// side opens with OPEN and closes with HALF_CLOSE (or END_STREAM); the server
/// side opens with its first MESSAGE and closes with TRAILERS. RST closes both
/// at once. ``State`` names both sides; the server side never leaves idle
/// before the client side has opened.
///
/// Events come in as method calls (`send…` for what this side does,
/// `receive…` for what the peer did), with time as an input where it matters.
/// An impossible local transition (a bug in the caller) throws ``RPCError``;
/// an impossible remote transition (a peer breaking the protocol) throws
/// ``ConnectionError``, which the connection turns into GOAWAY.
///
/// The machine also keeps the stream's flow-control credit in bytes of
/// MESSAGE payload, in a ``FlowControlWindow`` (the connection keeps one of
/// the same kind): ``sendCredit`` is what this side may still send,
/// ``receiveCredit`` what the peer may still send. A side may start a MESSAGE
/// while its credit is positive; the message's full length is then deducted,
/// so credit can go negative by less than one frame. A peer that sends a
/// MESSAGE while its credit is zero or negative is detected
/// (`FLOW_CONTROL_ERROR`).
///
/// The stream is *finished* (``isFinished``) once the server side is closed
/// or the stream was reset: nothing more can happen on it that matters, and a
/// connection forgets it.
public struct StreamStateMachine: Sendable, Hashable {
    /// One side of the stream.
    public enum Side: Sendable, Hashable {
        /// Nothing sent yet.
        case idle
        /// Sending.
        case open
        /// Done sending.
        case closed
    }

    /// The state of both sides.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Nothing sent yet.
        case clientIdleServerIdle
        /// OPEN sent; the client may send messages; no response yet.
        case clientOpenServerIdle
        /// Both sides are sending.
        case clientOpenServerOpen
        /// TRAILERS sent while the client was still open: finished.
        case clientOpenServerClosed
        /// The client half-closed; no response yet.
        case clientClosedServerIdle
        /// The client half-closed; the server is sending.
        case clientClosedServerOpen
        /// Both done (TRAILERS after half-close) or reset: finished.
        case clientClosedServerClosed

        /// The state with these sides; `nil` for the impossible combinations
        /// (the server side leaving idle while the client side is idle).
        public init?(client: Side, server: Side) {
            switch (client, server) {
            case (.idle, .idle): self = .clientIdleServerIdle
            case (.open, .idle): self = .clientOpenServerIdle
            case (.open, .open): self = .clientOpenServerOpen
            case (.open, .closed): self = .clientOpenServerClosed
            case (.closed, .idle): self = .clientClosedServerIdle
            case (.closed, .open): self = .clientClosedServerOpen
            case (.closed, .closed): self = .clientClosedServerClosed
            case (.idle, .open), (.idle, .closed): return nil
            }
        }

        /// The client side.
        public var client: Side {
            switch self {
            case .clientIdleServerIdle: .idle
            case .clientOpenServerIdle, .clientOpenServerOpen, .clientOpenServerClosed: .open
            case .clientClosedServerIdle, .clientClosedServerOpen, .clientClosedServerClosed: .closed
            }
        }

        /// The server side.
        public var server: Side {
            switch self {
            case .clientIdleServerIdle, .clientOpenServerIdle, .clientClosedServerIdle: .idle
            case .clientOpenServerOpen, .clientClosedServerOpen: .open
            case .clientOpenServerClosed, .clientClosedServerClosed: .closed
            }
        }
    }

    /// What to do with an inbound frame that did not break the protocol.
    public enum Disposition: Sendable, Hashable {
        /// Hand it to the RPC.
        case deliver
        /// Drop it silently: the stream already ended on this side and the
        /// frame crossed that ending on the wire.
        case discard
    }

    /// The stream's id.
    public let id: StreamID
    /// Which end this machine runs on.
    public let role: ConnectionRole
    /// The current state.
    public private(set) var state: State
    /// The method path from OPEN, once opened.
    public private(set) var path: String?
    /// When the call times out, if it has a deadline.
    public private(set) var deadline: NIODeadline?
    /// The status of the RST that ended the stream, if one did (sent or received).
    public private(set) var resetCode: StatusCode?
    /// The stream's credit in both directions.
    private var window: FlowControlWindow
    /// MESSAGE payload bytes this side may still send (may be negative).
    public var sendCredit: Int64 { self.window.sendCredit }
    /// MESSAGE payload bytes the peer may still send (may be negative).
    public var receiveCredit: Int64 { self.window.receiveCredit }

    /// Creates an idle stream.
    /// - Parameters:
    ///   - id: the stream id.
    ///   - role: which end this machine runs on.
    ///   - initialSendCredit: the initial stream credit the *peer* announced.
    ///   - initialReceiveCredit: the initial stream credit *this side* announced.
    public init(id: StreamID, role: ConnectionRole, initialSendCredit: UInt32, initialReceiveCredit: UInt32) {
        self.id = id
        self.role = role
        self.state = .clientIdleServerIdle
        self.window = FlowControlWindow(.stream(id), sendCredit: initialSendCredit, receiveCredit: initialReceiveCredit)
    }

    /// Whether the stream is over: the server side closed or the stream was reset.
    public var isFinished: Bool {
        self.state.server == .closed
    }

    /// Whether this side may start a MESSAGE now as far as the stream's
    /// credit goes (the connection's credit must be positive too).
    public var hasSendCredit: Bool { self.window.canSend }

    /// Whether the deadline has passed at `now`.
    public func isExpired(at now: NIODeadline) -> Bool {
        guard let deadline = self.deadline, !self.isFinished else { return false }
        return deadline <= now
    }

    /// Time passed. If the deadline has passed at `now`, the stream ends as
    /// if reset with `DEADLINE_EXCEEDED`.
    /// - Returns: `true` if it expired now: fail the call with
    ///   `DEADLINE_EXCEEDED` and send RST `DEADLINE_EXCEEDED`.
    public mutating func expire(now: NIODeadline) -> Bool {
        guard self.isExpired(at: now) else { return false }
        self.resetCode = .deadlineExceeded
        self.state = .clientClosedServerClosed
        return true
    }

    // MARK: - This side acts

    /// The client opens the stream (it sends OPEN).
    /// - Parameters:
    ///   - open: the OPEN payload; its timeout sets ``deadline`` relative to `now`.
    ///   - endStream: whether OPEN carries END_STREAM (no request messages follow).
    ///   - now: the current time.
    public mutating func sendOpen(_ open: Frame.Open, endStream: Bool, now: NIODeadline) throws(RPCError) {
        guard self.role == .client, self.state == .clientIdleServerIdle else {
            throw self.invalid("send OPEN")
        }
        self.path = open.path
        self.deadline = open.timeoutMicroseconds.map { now + .microseconds(Int64(clamping: $0)) }
        self.state = endStream ? .clientClosedServerIdle : .clientOpenServerIdle
    }

    /// This side sends a MESSAGE of `length` bytes.
    ///
    /// - Returns: `false`, changing nothing, when the stream's send credit is
    ///   not positive: wait for CREDIT and try again.
    /// - Throws: ``RPCError`` when this side may not send a message now.
    public mutating func sendMessage(length: Int, endStream: Bool) throws(RPCError) -> Bool {
        switch self.role {
        case .client:
            guard self.state.client == .open, self.state.server != .closed else {
                throw self.invalid("send MESSAGE")
            }
        case .server:
            guard !endStream, self.state.client != .idle, self.state.server != .closed else {
                throw self.invalid(endStream ? "send MESSAGE with END_STREAM from the server" : "send MESSAGE")
            }
        }
        guard self.window.send(length: length) else {
            return false
        }
        switch self.role {
        case .client:
            if endStream {
                self.state = State(client: .closed, server: self.state.server)!
            }
        case .server:
            self.state = State(client: self.state.client, server: .open)!
        }
        return true
    }

    /// The client sends HALF_CLOSE.
    public mutating func sendHalfClose() throws(RPCError) {
        guard self.role == .client, self.state.client == .open, self.state.server != .closed else {
            throw self.invalid("send HALF_CLOSE")
        }
        self.state = State(client: .closed, server: self.state.server)!
    }

    /// The server sends TRAILERS; the stream is finished.
    public mutating func sendTrailers() throws(RPCError) {
        guard self.role == .server, self.state.client != .idle, self.state.server != .closed else {
            throw self.invalid("send TRAILERS")
        }
        self.state = State(client: self.state.client, server: .closed)!
    }

    /// This side resets the stream (sends RST).
    /// - Returns: whether an RST should go out: `false` if the stream had
    ///   already finished (nothing to reset) or was never opened.
    public mutating func sendReset(code: StatusCode) -> Bool {
        guard !self.isFinished, self.state != .clientIdleServerIdle else {
            return false
        }
        self.resetCode = code
        self.state = .clientClosedServerClosed
        return true
    }

    /// The application consumed `bytes` of received MESSAGE payload.
    /// - Returns: a credit increment to announce in a CREDIT frame, once at
    ///   least half the initial window has been consumed; otherwise `nil`.
    ///   Nothing is announced once the peer can no longer send on the stream.
    public mutating func consumed(bytes: Int) -> UInt32? {
        guard bytes > 0, self.peerMaySendMessages else { return nil }
        return self.window.consumed(bytes: bytes)
    }

    private var peerMaySendMessages: Bool {
        switch self.role {
        case .client: self.state.server != .closed
        case .server: self.state.client == .open && self.state.server != .closed
        }
    }

    // MARK: - The peer acts

    /// The server receives OPEN.
    public mutating func receiveOpen(_ open: Frame.Open, endStream: Bool, now: NIODeadline) throws(ConnectionError) {
        guard self.role == .server, self.state == .clientIdleServerIdle else {
            throw .protocolError("OPEN on stream \(self.id) in state \(self.state)")
        }
        self.path = open.path
        self.deadline = open.timeoutMicroseconds.map { now + .microseconds(Int64(clamping: $0)) }
        self.state = endStream ? .clientClosedServerIdle : .clientOpenServerIdle
    }

    /// This side receives a MESSAGE of `length` payload bytes.
    /// - Throws: ``ConnectionError`` for a message the peer may not send
    ///   (`PROTOCOL_ERROR`) or sent without credit (`FLOW_CONTROL_ERROR`).
    public mutating func receiveMessage(length: Int, endStream: Bool) throws(ConnectionError) -> Disposition {
        if self.isFinished {
            return .discard
        }
        switch self.role {
        case .server:
            guard self.state.client == .open else {
                throw .protocolError(
                    self.state.client == .idle
                        ? "MESSAGE on stream \(self.id) before OPEN"
                        : "MESSAGE on stream \(self.id) after the client half-closed"
                )
            }
        case .client:
            guard !endStream else {
                throw .protocolError("MESSAGE with END_STREAM from the server on stream \(self.id)")
            }
        }
        try self.window.receive(length: length)
        switch self.role {
        case .server:
            if endStream {
                self.state = State(client: .closed, server: self.state.server)!
            }
        case .client:
            self.state = State(client: self.state.client, server: .open)!
        }
        return .deliver
    }

    /// The server receives HALF_CLOSE.
    public mutating func receiveHalfClose() throws(ConnectionError) -> Disposition {
        guard self.role == .server else {
            throw .protocolError("HALF_CLOSE from the server on stream \(self.id)")
        }
        if self.isFinished {
            return .discard
        }
        guard self.state.client == .open else {
            throw .protocolError("HALF_CLOSE on stream \(self.id) in state \(self.state)")
        }
        self.state = State(client: .closed, server: self.state.server)!
        return .deliver
    }

    /// The client receives TRAILERS; the stream is finished.
    public mutating func receiveTrailers() throws(ConnectionError) -> Disposition {
        guard self.role == .client else {
            throw .protocolError("TRAILERS from the client on stream \(self.id)")
        }
        if self.isFinished {
            return .discard
        }
        guard self.state.client != .idle else {
            throw .protocolError("TRAILERS on stream \(self.id) before OPEN")
        }
        self.state = State(client: self.state.client, server: .closed)!
        return .deliver
    }

    /// The peer reset the stream.
    public mutating func receiveReset(code: StatusCode) -> Disposition {
        guard !self.isFinished else {
            return .discard
        }
        self.resetCode = code
        self.state = .clientClosedServerClosed
        return .deliver
    }

    /// The peer granted `increment` more bytes of stream credit.
    /// - Returns: whether the stream went from blocked (credit ≤ 0) to
    ///   sendable, i.e. whether waiting writes should resume.
    /// - Throws: `FLOW_CONTROL_ERROR` if the credit would exceed 2^31 - 1.
    public mutating func receiveCredit(_ increment: UInt32) throws(ConnectionError) -> Bool {
        try self.window.grant(increment) && !self.isFinished
    }

    private func invalid(_ what: String) -> RPCError {
        RPCError(code: .internalError, message: "cannot \(what) on stream \(self.id) as \(self.role) in state \(self.state)")
    }
}
