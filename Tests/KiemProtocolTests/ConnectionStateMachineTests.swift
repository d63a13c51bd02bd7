import KiemProtocol
import KiemWire
import NIOCore
import Testing

@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    typealias Configuration = ConnectionStateMachine.Configuration

    static let t0 = TestHelpers.time(0)
    static let path = MethodDescriptor.Sync.pull.path

    /// Opens a stream on the client and delivers its OPEN to the server.
    static func open(
        _ client: inout ConnectionStateMachine,
        _ server: inout ConnectionStateMachine,
        timeout: TimeAmount? = nil,
        now: NIODeadline = t0
    ) throws -> StreamID {
        let frame = try client.openStream(path: path, timeout: timeout, now: now)
        let action = server.receiveFrame(frame, now: now)
        guard case .streamOpened(let id, _, _, _) = action else {
            Issue.record("expected streamOpened, got \(action)")
            return frame.streamID
        }
        return id
    }

    // MARK: - Preface

    @Test("preface exchange activates both sides with the negotiated settings")
    func prefaceExchange() {
        var client = ConnectionStateMachine(role: .client, now: Self.t0)
        #expect(!client.isActive)
        let serverPreface = Preface(maxFrameSize: 65_536, maxConcurrentStreams: 10)
        let action = client.receivePreface(serverPreface, now: Self.t0)
        guard case .prefaceAccepted(let settings) = action else {
            Issue.record("expected prefaceAccepted, got \(action)")
            return
        }
        #expect(settings.version == 1)
        #expect(settings.peer == serverPreface)
        #expect(settings.maxOutboundFrameSize == 65_536)
        #expect(client.isActive)
        #expect(client.connectionSendCredit == Int64(serverPreface.initialConnectionCredit))
    }

    @Test("unsupported version: GOAWAY UNSUPPORTED_VERSION and close")
    func unsupportedVersion() {
        var server = ConnectionStateMachine(role: .server, now: Self.t0)
        let action = server.receivePreface(Preface(minVersion: 2, maxVersion: 3), now: Self.t0)
        #expect(action.goAwayCode == .unsupportedVersion)
        #expect(server.isClosed)
    }

    @Test("bad preface magic: GOAWAY PROTOCOL_ERROR")
    func badPrefaceMagic() {
        var server = ConnectionStateMachine(role: .server, now: Self.t0)
        #expect(server.decodingFailed(.badPrefaceMagic).goAwayCode == .protocolError)
        #expect(server.isClosed)
        #expect(server.decodingFailed(.badPrefaceMagic) == .none, "nothing more once closed")
    }

    @Test("a frame before the preface, or a second preface, is a protocol error")
    func prefaceOrder() {
        var server = ConnectionStateMachine(role: .server, now: Self.t0)
        #expect(server.receiveFrame(.ping(1), now: Self.t0).goAwayCode == .protocolError)

        var (client, _) = TestHelpers.connectedPair()
        #expect(client.receivePreface(Preface(), now: Self.t0).goAwayCode == .protocolError)
    }

    @Test("no preface within the preface timeout: GOAWAY TIMEOUT")
    func prefaceTimeout() {
        var server = ConnectionStateMachine(role: .server, configuration: Configuration(prefaceTimeout: .seconds(10)), now: Self.t0)
        #expect(server.nextTimerDeadline == TestHelpers.time(10))
        #expect(server.tick(now: TestHelpers.time(9.9)).isEmpty)
        let actions = server.tick(now: TestHelpers.time(10))
        #expect(actions.count == 1 && actions[0].goAwayCode == .timeout)
        #expect(server.nextTimerDeadline == nil)
    }

    @Test("decoding errors map to their GOAWAY codes")
    func decodingErrors() {
        let cases: [(FrameDecodingError, ConnectionErrorCode)] = [
            (.frameTooLarge(length: 5_000_000, maximum: 4_194_304), .frameSizeError),
            (.unknownFrameType(0x42), .protocolError),
            (.invalidStreamID(type: .message, streamID: 2), .protocolError),
            (.malformedPayload(type: .open, reason: "x"), .protocolError),
            (.malformedPreface("x"), .protocolError),
            (.truncated(leftoverBytes: 3), .protocolError),
        ]
        for (error, code) in cases {
            var (_, server) = TestHelpers.connectedPair()
            #expect(server.decodingFailed(error).goAwayCode == code, "\(error)")
        }
    }

    // MARK: - A whole call

    @Test("unary call: OPEN, MESSAGE, HALF_CLOSE, MESSAGE, TRAILERS")
    func unaryCall() throws {
        var (client, server) = TestHelpers.connectedPair()
        let open = try client.openStream(path: Self.path, metadata: ["kiem-node": "uwv-1"], timeout: .seconds(5), now: Self.t0)
        #expect(open.streamID == StreamID(1))
        #expect(open == .open(StreamID(1), Frame.Open(path: Self.path, timeoutMicroseconds: 5_000_000, metadata: ["kiem-node": "uwv-1"])))

        let opened = server.receiveFrame(open, now: Self.t0)
        #expect(opened == .streamOpened(StreamID(1), Frame.Open(path: Self.path, timeoutMicroseconds: 5_000_000, metadata: ["kiem-node": "uwv-1"]), endStream: false, deadline: TestHelpers.time(5)))

        let request = TestHelpers.buffer("request")
        guard case .send(let message) = try client.sendMessage(request, on: StreamID(1)) else {
            Issue.record("message blocked")
            return
        }
        #expect(server.receiveFrame(message, now: Self.t0) == .deliverMessage(StreamID(1), request, endStream: false))
        let halfClose = try client.sendHalfClose(on: StreamID(1))
        #expect(server.receiveFrame(halfClose, now: Self.t0) == .deliverHalfClose(StreamID(1)))
        #expect(server.stream(StreamID(1))?.state == .clientClosedServerIdle)

        let response = TestHelpers.buffer("response")
        guard case .send(let reply) = try server.sendMessage(response, on: StreamID(1)) else {
            Issue.record("reply blocked")
            return
        }
        #expect(client.receiveFrame(reply, now: Self.t0) == .deliverMessage(StreamID(1), response, endStream: false))
        let trailers = try server.sendTrailers(.ok, on: StreamID(1))
        #expect(server.activeStreamCount == 0)
        #expect(client.receiveFrame(trailers, now: Self.t0) == .deliverTrailers(StreamID(1), .ok))
        #expect(client.activeStreamCount == 0)
    }

    @Test("client stream ids are odd and increasing")
    func streamIDAllocation() throws {
        var (client, _) = TestHelpers.connectedPair()
        let ids = try (0..<4).map { _ in try client.openStream(path: Self.path, timeout: nil, now: Self.t0).streamID }
        #expect(ids == [1, 3, 5, 7].map { StreamID($0) })
        #expect(client.activeStreamIDs == ids)
    }

    @Test("stream id reuse or decrease is a protocol error")
    func streamIDReuse() throws {
        var (client, server) = TestHelpers.connectedPair()
        let first = try client.openStream(path: Self.path, timeout: nil, now: Self.t0)
        _ = server.receiveFrame(first, now: Self.t0)
        _ = try server.sendTrailers(.ok, on: first.streamID)
        // The same id again, even after the stream finished.
        #expect(server.receiveFrame(first, now: Self.t0).goAwayCode == .protocolError)

        var (_, other) = TestHelpers.connectedPair()
        _ = other.receiveFrame(.open(StreamID(5), Frame.Open(path: Self.path)), now: Self.t0)
        let action = other.receiveFrame(.open(StreamID(3), Frame.Open(path: Self.path)), now: Self.t0)
        #expect(action.goAwayCode == .protocolError)
        guard case .closeConnection(let close) = action else { return }
        #expect(close.failedStreams == [StreamID(5)])
        #expect(close.goAway == .goAway(Frame.GoAway(lastStreamID: StreamID(5), code: .protocolError, reason: close.error!.reason)))
    }

    @Test("frames on an idle stream are protocol errors")
    func idleStream() {
        let frames: [Frame] = [
            .message(StreamID(1), TestHelpers.buffer("x")),
            .halfClose(StreamID(1)),
            .reset(StreamID(1), code: .cancelled),
            .credit(StreamID(1), 10),
        ]
        for frame in frames {
            var (_, server) = TestHelpers.connectedPair()
            #expect(server.receiveFrame(frame, now: Self.t0).goAwayCode == .protocolError, "\(frame)")
        }
        var (client, _) = TestHelpers.connectedPair()
        #expect(client.receiveFrame(.trailers(StreamID(1), .ok), now: Self.t0).goAwayCode == .protocolError)
        var (client2, _) = TestHelpers.connectedPair()
        #expect(client2.receiveFrame(.message(StreamID(3), TestHelpers.buffer("x")), now: Self.t0).goAwayCode == .protocolError)
    }

    @Test("a server never opens streams and a client never sends TRAILERS")
    func wrongDirection() {
        var (client, server) = TestHelpers.connectedPair()
        #expect(client.receiveFrame(.open(StreamID(1), Frame.Open(path: "/a/b")), now: Self.t0).goAwayCode == .protocolError)
        _ = server.receiveFrame(.open(StreamID(1), Frame.Open(path: "/a/b")), now: Self.t0)
        #expect(server.receiveFrame(.trailers(StreamID(1), .ok), now: Self.t0).goAwayCode == .protocolError)
    }

    @Test("a message on a closed stream is dropped, and its connection credit returned")
    func messageOnClosedStream() throws {
        let preface = Preface(initialConnectionCredit: 100)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: preface))
        let id = try Self.open(&client, &server)
        _ = try server.sendTrailers(Frame.Trailers(code: .notFound), on: id)
        // The client had not seen the trailers yet and keeps sending.
        #expect(server.receiveFrame(.message(id, ByteBuffer(repeating: 0, count: 40)), now: Self.t0) == .none)
        #expect(server.receiveFrame(.halfClose(id), now: Self.t0) == .none)
        #expect(server.receiveFrame(.credit(id, 5), now: Self.t0) == .none)
        #expect(server.receiveFrame(.reset(id, code: .cancelled), now: Self.t0) == .none)
        // Dropped bytes count against the connection window and come back as CREDIT once half of it is used.
        #expect(server.receiveFrame(.message(id, ByteBuffer(repeating: 0, count: 20)), now: Self.t0) == .send(.credit(.connection, 60)))
        #expect(server.isActive)
    }

    @Test("a message after the client half-closed is a protocol error")
    func messageAfterHalfClose() throws {
        var (client, server) = TestHelpers.connectedPair()
        let id = try Self.open(&client, &server)
        _ = server.receiveFrame(.halfClose(id), now: Self.t0)
        #expect(server.receiveFrame(.message(id, TestHelpers.buffer("late")), now: Self.t0).goAwayCode == .protocolError)
    }

    // MARK: - Flow control

    @Test("stream credit overrun: FLOW_CONTROL_ERROR")
    func streamCreditOverrun() throws {
        let preface = Preface(initialStreamCredit: 100)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: preface))
        let id = try Self.open(&client, &server)
        #expect(server.receiveFrame(.message(id, ByteBuffer(repeating: 1, count: 100)), now: Self.t0).isDeliver)
        let action = server.receiveFrame(.message(id, ByteBuffer(repeating: 1, count: 1)), now: Self.t0)
        #expect(action.goAwayCode == .flowControlError)
        guard case .closeConnection(let close) = action else { return }
        #expect(close.failedStreams == [id])
        #expect(close.streamError.code == .unavailable)
    }

    @Test("connection credit overrun: FLOW_CONTROL_ERROR")
    func connectionCreditOverrun() throws {
        let preface = Preface(initialStreamCredit: 1000, initialConnectionCredit: 150)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: preface))
        let a = try Self.open(&client, &server)
        let b = try Self.open(&client, &server)
        #expect(server.receiveFrame(.message(a, ByteBuffer(repeating: 1, count: 100)), now: Self.t0).isDeliver)
        #expect(server.receiveFrame(.message(b, ByteBuffer(repeating: 1, count: 100)), now: Self.t0).isDeliver)
        #expect(server.connectionReceiveCredit == -50)
        #expect(server.receiveFrame(.message(a, ByteBuffer(repeating: 1, count: 1)), now: Self.t0).goAwayCode == .flowControlError)
    }

    @Test("sender side: blocked without credit, resumed by CREDIT")
    func sendBlocksAndResumes() throws {
        let serverPreface = Preface(initialStreamCredit: 100, initialConnectionCredit: 150)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: serverPreface))
        let a = try Self.open(&client, &server)
        let b = try Self.open(&client, &server)
        #expect(try client.sendMessage(ByteBuffer(repeating: 0, count: 120), on: a).isSend)
        #expect(try client.sendMessage(ByteBuffer(repeating: 0, count: 1), on: a) == .blocked, "stream credit exhausted")
        #expect(!client.canSendMessage(on: a))
        #expect(try client.sendMessage(ByteBuffer(repeating: 0, count: 40), on: b).isSend)
        #expect(client.connectionSendCredit == -10)
        #expect(try client.sendMessage(ByteBuffer(repeating: 0, count: 1), on: b) == .blocked, "connection credit exhausted")

        #expect(client.receiveFrame(.credit(.connection, 100), now: Self.t0) == .resumeWrites(nil))
        #expect(client.canSendMessage(on: b))
        #expect(!client.canSendMessage(on: a))
        #expect(client.receiveFrame(.credit(a, 10), now: Self.t0) == .none, "still at -10")
        #expect(client.receiveFrame(.credit(a, 50), now: Self.t0) == .resumeWrites(a))
        #expect(client.canSendMessage(on: a))
    }

    @Test("consumed messages return credit on both levels")
    func consumedReturnsCredit() throws {
        let preface = Preface(initialStreamCredit: 100, initialConnectionCredit: 300)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: preface))
        let id = try Self.open(&client, &server)
        _ = server.receiveFrame(.message(id, ByteBuffer(repeating: 0, count: 100)), now: Self.t0)
        #expect(server.messageConsumed(bytes: 40, on: id) == [])
        #expect(server.messageConsumed(bytes: 60, on: id) == [.credit(id, 100)])
        _ = server.receiveFrame(.message(id, ByteBuffer(repeating: 0, count: 100)), now: Self.t0)
        #expect(server.messageConsumed(bytes: 100, on: id) == [.credit(id, 100), .credit(.connection, 200)])
    }

    @Test("credit that overflows the window is a flow-control error")
    func creditOverflow() throws {
        var (client, server) = TestHelpers.connectedPair()
        let id = try Self.open(&client, &server)
        #expect(client.receiveFrame(.credit(id, Preface.maximumWindow), now: Self.t0).goAwayCode == .flowControlError)
        var (client2, _) = TestHelpers.connectedPair()
        #expect(client2.receiveFrame(.credit(.connection, Preface.maximumWindow), now: Self.t0).goAwayCode == .flowControlError)
    }

    @Test("messages larger than the peer's max frame size are refused locally")
    func messageTooLarge() throws {
        let serverPreface = Preface(maxFrameSize: 16_384)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: serverPreface))
        let id = try Self.open(&client, &server)
        #expect(throws: RPCError.self) { _ = try client.sendMessage(ByteBuffer(repeating: 0, count: 16_385), on: id) }
        #expect(try client.sendMessage(ByteBuffer(repeating: 0, count: 16_384), on: id).isSend)
    }

    // MARK: - Limits and shutdown

    @Test("streams beyond the concurrency limit are refused with RST RESOURCE_EXHAUSTED")
    func concurrencyLimit() throws {
        let serverPreface = Preface(maxConcurrentStreams: 2)
        var (client, server) = TestHelpers.connectedPair(server: Configuration(preface: serverPreface))
        _ = try Self.open(&client, &server)
        _ = try Self.open(&client, &server)
        // The client knows the limit ...
        #expect(throws: RPCError(code: .resourceExhausted, message: "peer's limit of 2 concurrent streams reached")) {
            _ = try client.openStream(path: Self.path, timeout: nil, now: Self.t0)
        }
        // ... and a client that ignores it is refused per stream.
        let action = server.receiveFrame(.open(StreamID(5), Frame.Open(path: Self.path)), now: Self.t0)
        guard case .send(let frame) = action, case .reset(let reset) = frame.payload else {
            Issue.record("expected RST, got \(action)")
            return
        }
        #expect(frame.streamID == StreamID(5) && reset.code == .resourceExhausted)
        #expect(server.isActive)
    }

    @Test("graceful shutdown: GOAWAY, refuse new streams, finish old ones, then close")
    func gracefulShutdown() throws {
        var (client, server) = TestHelpers.connectedPair()
        let id = try Self.open(&client, &server)
        let maybeGoAway = server.beginGracefulShutdown(reason: "restart")
        let goAway = try #require(maybeGoAway)
        #expect(goAway == .goAway(Frame.GoAway(lastStreamID: id, code: .noError, reason: "restart")))
        #expect(server.beginGracefulShutdown() == nil, "only once")
        #expect(!server.isReadyToClose)

        // The client learns of it; stream 1 was processed and keeps going.
        #expect(client.receiveFrame(goAway, now: Self.t0) == .goAwayReceived(Frame.GoAway(lastStreamID: id, code: .noError, reason: "restart"), failedStreams: []))
        #expect(throws: RPCError.self) { _ = try client.openStream(path: Self.path, timeout: nil, now: Self.t0) }

        // A new stream that crossed the GOAWAY is refused with UNAVAILABLE.
        let late = server.receiveFrame(.open(StreamID(3), Frame.Open(path: Self.path)), now: Self.t0)
        #expect(late == .send(.reset(StreamID(3), code: .unavailable, message: "connection is shutting down")))

        let trailers = try server.sendTrailers(.ok, on: id)
        #expect(server.isReadyToClose)
        #expect(client.receiveFrame(trailers, now: Self.t0) == .deliverTrailers(id, .ok))
        #expect(client.isReadyToClose)
        let actions = server.tick(now: Self.t0)
        #expect(actions.count == 1 && actions[0].isClose)
    }

    @Test("GOAWAY fails the client's streams the server did not process")
    func goAwayFailsUnprocessedStreams() throws {
        var (client, server) = TestHelpers.connectedPair()
        let first = try Self.open(&client, &server)
        let second = try client.openStream(path: Self.path, timeout: nil, now: Self.t0).streamID
        let third = try client.openStream(path: Self.path, timeout: nil, now: Self.t0).streamID
        let goAway = Frame.GoAway(lastStreamID: first, code: .noError)
        #expect(client.receiveFrame(.goAway(goAway), now: Self.t0) == .goAwayReceived(goAway, failedStreams: [second, third]))
        #expect(client.activeStreamIDs == [first])
    }

    @Test("GOAWAY with an error closes at once")
    func goAwayWithError() throws {
        var (client, server) = TestHelpers.connectedPair()
        let id = try Self.open(&client, &server)
        let action = client.receiveFrame(.goAway(Frame.GoAway(lastStreamID: id, code: .enhanceYourCalm, reason: "calm down")), now: Self.t0)
        guard case .closeConnection(let close) = action else {
            Issue.record("expected close, got \(action)")
            return
        }
        #expect(close.goAway == nil)
        #expect(close.failedStreams == [id])
        #expect(close.error?.code == .enhanceYourCalm)
    }

    @Test("connection closed by the transport fails every open stream")
    func transportClosed() throws {
        var (client, server) = TestHelpers.connectedPair()
        let a = try Self.open(&client, &server)
        let b = try Self.open(&client, &server)
        #expect(client.connectionClosed() == [a, b])
        #expect(client.isClosed)
        #expect(client.receiveFrame(.ping(1), now: Self.t0) == .none)
        #expect(throws: RPCError.self) { _ = try client.openStream(path: Self.path, timeout: nil, now: Self.t0) }
    }

    @Test("reset by the peer fails the stream; reset by us returns the RST")
    func resets() throws {
        var (client, server) = TestHelpers.connectedPair()
        let id = try Self.open(&client, &server)
        let maybeRST = client.resetStream(id, code: .cancelled, message: "caller gave up")
        let rst = try #require(maybeRST)
        #expect(rst == .reset(id, code: .cancelled, message: "caller gave up"))
        #expect(client.resetStream(id, code: .cancelled) == nil, "already gone")
        #expect(server.receiveFrame(rst, now: Self.t0) == .streamFailed(id, RPCError(code: .cancelled, message: "caller gave up"), send: nil))
        #expect(server.activeStreamCount == 0)
        #expect(throws: RPCError.self) { _ = try server.sendTrailers(.ok, on: id) }
    }

    // MARK: - Ping and keep-alive

    @Test("PING is answered with PONG; our PING's PONG reports the round trip")
    func pingPong() {
        var (client, server) = TestHelpers.connectedPair()
        let ping = client.sendPing(now: TestHelpers.time(1))!
        #expect(client.sendPing(now: TestHelpers.time(1)) == nil, "one at a time")
        let pong = server.receiveFrame(ping, now: TestHelpers.time(1.001)).sentFrame!
        #expect(pong.payload == .pong(1))
        #expect(client.receiveFrame(.pong(999), now: TestHelpers.time(1.002)) == .none, "unknown PONG ignored")
        #expect(client.receiveFrame(pong, now: TestHelpers.time(1.002)) == .pongReceived(rtt: .milliseconds(2)))
    }

    @Test("keep-alive: PING after the idle interval, GOAWAY TIMEOUT when unanswered")
    func keepAlive() {
        let configuration = Configuration(keepAliveInterval: .seconds(30), keepAliveTimeout: .seconds(10))
        var (client, _) = TestHelpers.connectedPair(client: configuration)
        #expect(client.nextTimerDeadline == TestHelpers.time(30))
        #expect(client.tick(now: TestHelpers.time(29)).isEmpty)
        let actions = client.tick(now: TestHelpers.time(30))
        #expect(actions == [.send(.ping(1))])
        #expect(client.nextTimerDeadline == TestHelpers.time(40))
        let timeout = client.tick(now: TestHelpers.time(40))
        #expect(timeout.count == 1 && timeout[0].goAwayCode == .timeout)
    }

    @Test("keep-alive: any received frame resets the idle timer")
    func keepAliveReset() {
        var (client, _) = TestHelpers.connectedPair(client: Configuration(keepAliveInterval: .seconds(30)))
        _ = client.receiveFrame(.ping(7), now: TestHelpers.time(20))
        #expect(client.tick(now: TestHelpers.time(30)).isEmpty)
        #expect(client.nextTimerDeadline == TestHelpers.time(50))
    }

    @Test("a PING flood gets GOAWAY ENHANCE_YOUR_CALM")
    func pingFlood() {
        var (_, server) = TestHelpers.connectedPair(server: Configuration(minimumInboundPingInterval: .seconds(5), maximumPingStrikes: 2))
        #expect(server.receiveFrame(.ping(1), now: TestHelpers.time(0)).sentFrame == .pong(1))
        #expect(server.receiveFrame(.ping(2), now: TestHelpers.time(1)).sentFrame == .pong(2))
        #expect(server.receiveFrame(.ping(3), now: TestHelpers.time(2)).sentFrame == .pong(3))
        #expect(server.receiveFrame(.ping(4), now: TestHelpers.time(3)).goAwayCode == .enhanceYourCalm)
    }

    @Test("a PING after a quiet spell clears the strikes")
    func pingStrikesClear() {
        var (_, server) = TestHelpers.connectedPair(server: Configuration(minimumInboundPingInterval: .seconds(5), maximumPingStrikes: 2))
        for second in [0.0, 1, 2, 10, 11, 12, 20, 21, 22] {
            #expect(server.receiveFrame(.ping(UInt64(second)), now: TestHelpers.time(second)).sentFrame == .pong(UInt64(second)))
        }
        #expect(server.isActive)
    }

    // MARK: - Deadlines

    @Test("deadline expiry fails the stream and sends RST DEADLINE_EXCEEDED, on both ends")
    func deadlineExpiry() throws {
        let quiet = Configuration(keepAliveInterval: nil)
        var (client, server) = TestHelpers.connectedPair(client: quiet, server: quiet)
        let slow = try Self.open(&client, &server, timeout: .milliseconds(200), now: TestHelpers.time(1))
        let open = try Self.open(&client, &server, timeout: nil, now: TestHelpers.time(1))
        #expect(client.nextTimerDeadline == TestHelpers.time(1.2))
        #expect(server.nextTimerDeadline == TestHelpers.time(1.2))
        #expect(client.tick(now: TestHelpers.time(1.199)).isEmpty)

        let expected = ConnectionAction.streamFailed(
            slow,
            RPCError(code: .deadlineExceeded, message: "deadline exceeded"),
            send: .reset(slow, code: .deadlineExceeded, message: "deadline exceeded")
        )
        #expect(client.tick(now: TestHelpers.time(1.2)) == [expected])
        #expect(server.tick(now: TestHelpers.time(1.2)) == [expected])
        #expect(client.activeStreamIDs == [open])
        #expect(server.activeStreamIDs == [open])
        // The RST that crosses the other side's own expiry is dropped.
        #expect(server.receiveFrame(.reset(slow, code: .deadlineExceeded), now: TestHelpers.time(1.2)) == .none)
    }

    @Test("the receiver of a deadline RST reports DEADLINE_EXCEEDED")
    func deadlineRSTPropagates() throws {
        var (client, server) = TestHelpers.connectedPair()
        let id = try Self.open(&client, &server, timeout: .seconds(1))
        guard case .streamFailed(_, _, let rst?) = client.tick(now: TestHelpers.time(1)).first else {
            Issue.record("expected expiry")
            return
        }
        guard case .streamFailed(let failed, let error, nil) = server.receiveFrame(rst, now: TestHelpers.time(1)) else {
            Issue.record("expected the server to fail the stream")
            return
        }
        #expect(failed == id && error.code == .deadlineExceeded)
    }

    @Test("metadata the peer would reject is refused locally, before anything is sent")
    func invalidMetadataRefusedLocally() throws {
        var (client, server) = TestHelpers.connectedPair()
        #expect(throws: RPCError.self) {
            _ = try client.openStream(path: Self.path, metadata: ["Upper-Case": "x"], timeout: nil, now: Self.t0)
        }
        #expect(throws: RPCError.self) { _ = try client.openStream(path: "no-slash", timeout: nil, now: Self.t0) }
        #expect(client.activeStreamCount == 0)
        let id = try Self.open(&client, &server)
        #expect(throws: RPCError.self) { _ = try server.sendTrailers(Frame.Trailers(code: .ok, metadata: ["": "x"]), on: id) }
        #expect(server.stream(id)?.state == .clientOpenServerIdle, "the stream is still there to answer properly")
    }

    @Test("a timeout that already passed fails before anything is sent")
    func expiredBeforeStart() {
        var (client, _) = TestHelpers.connectedPair()
        #expect(throws: RPCError(code: .deadlineExceeded, message: "deadline passed before the call started")) {
            _ = try client.openStream(path: Self.path, timeout: .zero, now: Self.t0)
        }
        #expect(client.activeStreamCount == 0)
    }
}

extension ConnectionAction {
    var isDeliver: Bool {
        if case .deliverMessage = self { return true }
        return false
    }
}

extension ConnectionStateMachine.SendMessageResult {
    var isSend: Bool {
        if case .send = self { return true }
        return false
    }
}
