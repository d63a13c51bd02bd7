import KiemWire
import NIOCore
import Testing

/// Random and mutated input must never crash the decoder or the connection
/// state machine: every outcome is a frame, "need more bytes", or an error
/// that closes the connection with a GOAWAY.
@Suite("Fuzzing the decoder and connection state machine")
struct FuzzTests {
    /// Feeds `bytes` in random chunks through a decoder into a connection
    /// state machine, as a transport would. Returns whether the connection
    /// ended with an error.
    @discardableResult
    static func run(
        _ bytes: [UInt8],
        role: ConnectionRole,
        expectsPreface: Bool = true,
        rng: inout SplitMix64
    ) -> Bool {
        let configuration = ConnectionStateMachine.Configuration(
            preface: Preface(maxFrameSize: 16_384, initialStreamCredit: 4096, initialConnectionCredit: 8192, maxConcurrentStreams: 4)
        )
        var machine = ConnectionStateMachine(role: role, configuration: configuration, now: TestHelpers.time(0))
        if !expectsPreface {
            _ = machine.receivePreface(Preface(), now: TestHelpers.time(0))
        }
        var decoder = FrameDecoder(maximumFrameLength: 16_384, expectsPreface: expectsPreface)
        var buffer = ByteBuffer()
        var offset = 0
        var seconds = 0.0
        var failed = false

        func handle(_ action: ConnectionAction) {
            if case .closeConnection(let close) = action {
                #expect(machine.isClosed)
                if close.error != nil {
                    failed = true
                }
            }
            // Let the application consume what it is given, like a real reader.
            if case .deliverMessage(let id, let bytes, _) = action {
                _ = machine.messageConsumed(bytes: bytes.readableBytes, on: id)
            }
            // A server answers half-closed streams.
            if case .deliverHalfClose(let id) = action {
                _ = try? machine.sendTrailers(.ok, on: id)
            }
        }

        func feed(_ item: InboundItem) {
            seconds += 0.25
            switch item {
            case .preface(let preface):
                handle(machine.receivePreface(preface, now: TestHelpers.time(seconds)))
            case .frame(let frame):
                handle(machine.receiveFrame(frame, now: TestHelpers.time(seconds)))
            }
            for action in machine.tick(now: TestHelpers.time(seconds)) {
                handle(action)
            }
        }

        do {
            while offset < bytes.count, !machine.isClosed {
                let chunk = Int.random(in: 1...max(1, min(64, bytes.count - offset)), using: &rng)
                buffer.writeBytes(bytes[offset..<(offset + chunk)])
                offset += chunk
                while !machine.isClosed, let item = try decoder.decode(buffer: &buffer) {
                    feed(item)
                }
            }
            if !machine.isClosed {
                while let item = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                    feed(item)
                }
            }
        } catch {
            let action = machine.decodingFailed(error)
            if !machine.isClosed || action != .none {
                #expect(action.goAwayCode != nil, "decoding error \(error) must produce a GOAWAY")
            }
            failed = true
        }
        _ = machine.connectionClosed()
        return failed
    }

    /// A realistic client → server byte stream: preface and a few calls.
    static func validClientStream() -> [UInt8] {
        var frames: [Frame] = []
        for n in 0..<3 {
            let id = StreamID(UInt32(2 * n + 1))
            frames.append(.open(id, Frame.Open(path: MethodDescriptor.Sync.push.path, timeoutMicroseconds: 2_000_000, metadata: ["kiem-node": "uwv-1"])))
            frames.append(.message(id, ByteBuffer(repeating: UInt8(n), count: 100 * (n + 1))))
            frames.append(.credit(id, 1024))
            frames.append(.message(id, ByteBuffer(repeating: 0x5A, count: 10), endStream: true))
        }
        frames += [.ping(7), .credit(.connection, 4096), .reset(StreamID(5), code: .cancelled, message: "bye"), .goAway(Frame.GoAway(lastStreamID: .connection, code: .noError))]
        return TestHelpers.bytes(Preface()) + frames.flatMap(TestHelpers.bytes)
    }

    /// A realistic server → client byte stream for the same calls.
    static func validServerStream() -> [UInt8] {
        var frames: [Frame] = []
        for n in 0..<3 {
            let id = StreamID(UInt32(2 * n + 1))
            frames.append(.message(id, ByteBuffer(repeating: UInt8(n), count: 50)))
            frames.append(.trailers(id, Frame.Trailers(code: n == 1 ? .notFound : .ok, message: "m", metadata: ["k": "v"])))
        }
        frames += [.pong(1), .credit(.connection, 100), .goAway(Frame.GoAway(lastStreamID: StreamID(5), code: .noError, reason: "bye"))]
        return TestHelpers.bytes(Preface()) + frames.flatMap(TestHelpers.bytes)
    }

    @Test("the valid streams themselves are accepted without error")
    func validStreamsAreAccepted() {
        var rng = SplitMix64(seed: 1)
        #expect(!Self.run(Self.validClientStream(), role: .server, rng: &rng))
    }

    @Test("5,000 random byte strings, with and without a valid preface in front")
    func randomBytes() {
        var rng = SplitMix64(seed: 0x4B49_454D)
        let preface = TestHelpers.bytes(Preface())
        for iteration in 0..<5_000 {
            let length = Int.random(in: 0...300, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Bias towards plausible headers: small lengths, known types, odd stream ids.
            if iteration % 2 == 0, bytes.count >= 10 {
                bytes[0] = 0
                bytes[1] = 0
                bytes[4] = UInt8.random(in: 0...10, using: &rng)
                bytes[9] |= 1
            }
            let role: ConnectionRole = iteration % 3 == 0 ? .client : .server
            switch iteration % 4 {
            case 0: Self.run(bytes, role: role, rng: &rng)
            case 1: Self.run(preface + bytes, role: role, rng: &rng)
            default: Self.run(bytes, role: role, expectsPreface: false, rng: &rng)
            }
        }
    }

    @Test("5,000 mutations of valid client and server streams")
    func mutatedStreams() {
        var rng = SplitMix64(seed: 42)
        let sources = [(Self.validClientStream(), ConnectionRole.server), (Self.validServerStream(), ConnectionRole.client)]
        var failures = 0
        for iteration in 0..<5_000 {
            var (bytes, role) = sources[iteration % 2]
            let mutations = Int.random(in: 1...4, using: &rng)
            for _ in 0..<mutations {
                guard !bytes.isEmpty else { break }
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)  // flip a bit
                case 1: bytes[index] = UInt8.random(in: 0...255, using: &rng)  // replace a byte
                case 2: bytes.remove(at: index)  // drop a byte
                case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)  // insert a byte
                default: bytes.removeLast(bytes.count - index)  // truncate
                }
            }
            if Self.run(bytes, role: role, rng: &rng) {
                failures += 1
            }
        }
        // Most mutations must be caught; the rest happened to stay valid.
        #expect(failures > 2_500)
    }

    @Test("2,000 random sequences of well-formed frames and local actions")
    func randomFrameSequences() {
        var rng = SplitMix64(seed: 7)
        for iteration in 0..<2_000 {
            let role: ConnectionRole = iteration % 2 == 0 ? .server : .client
            let configuration = ConnectionStateMachine.Configuration(
                preface: Preface(initialStreamCredit: 300, initialConnectionCredit: 1000, maxConcurrentStreams: 3)
            )
            var machine = ConnectionStateMachine(role: role, configuration: configuration, now: TestHelpers.time(0))
            _ = machine.receivePreface(Preface(initialStreamCredit: 300, initialConnectionCredit: 1000), now: TestHelpers.time(0))
            var seconds = 0.0
            for _ in 0..<60 where !machine.isClosed {
                seconds += Double.random(in: 0...3, using: &rng)
                let now = TestHelpers.time(seconds)
                let id = StreamID(UInt32.random(in: 0...6, using: &rng) * 2 + 1)
                switch Int.random(in: 0..<14, using: &rng) {
                case 0:
                    let timeout: TimeAmount? = Bool.random(using: &rng) ? .milliseconds(Int64.random(in: 1...5000, using: &rng)) : nil
                    _ = machine.receiveFrame(.open(id, Frame.Open(path: "/kiem.v1.Sync/Pull", timeoutMicroseconds: timeout.map { UInt64($0.nanoseconds / 1000) }), endStream: Bool.random(using: &rng)), now: now)
                case 1:
                    _ = machine.receiveFrame(.message(id, ByteBuffer(repeating: 1, count: Int.random(in: 0...400, using: &rng)), endStream: Bool.random(using: &rng)), now: now)
                case 2: _ = machine.receiveFrame(.halfClose(id), now: now)
                case 3: _ = machine.receiveFrame(.trailers(id, .ok), now: now)
                case 4: _ = machine.receiveFrame(.reset(id, code: .cancelled), now: now)
                case 5: _ = machine.receiveFrame(.credit(Bool.random(using: &rng) ? .connection : id, UInt32.random(in: 1...2000, using: &rng)), now: now)
                case 6: _ = machine.receiveFrame(.ping(UInt64.random(in: 0...3, using: &rng)), now: now)
                case 7: _ = machine.receiveFrame(.goAway(Frame.GoAway(lastStreamID: id, code: Bool.random(using: &rng) ? .noError : .internalError)), now: now)
                case 8: _ = try? machine.openStream(path: "/kiem.v1.Sync/Push", timeout: .seconds(2), now: now)
                case 9: _ = try? machine.sendMessage(ByteBuffer(repeating: 2, count: Int.random(in: 0...500, using: &rng)), on: id, endStream: Bool.random(using: &rng))
                case 10:
                    _ = try? machine.sendHalfClose(on: id)
                    _ = try? machine.sendTrailers(.ok, on: id)
                case 11: _ = machine.resetStream(id, code: .cancelled)
                case 12: _ = machine.messageConsumed(bytes: Int.random(in: 0...500, using: &rng), on: id)
                default:
                    _ = machine.tick(now: now)
                    _ = machine.sendPing(now: now)
                    if Int.random(in: 0..<10, using: &rng) == 0 {
                        _ = machine.beginGracefulShutdown()
                    }
                }
                #expect(machine.activeStreamCount <= 3 || role == .client)
                #expect(machine.connectionReceiveCredit <= Int64(Preface.maximumWindow))
            }
        }
    }
}
