import KiemWire
import NIOCore
import Testing

@Suite("Frame encoding and decoding")
struct FrameCodecTests {
    static let sampleFrames: [Frame] = [
        .open(StreamID(1), Frame.Open(path: "/kiem.v1.Sync/Pull")),
        .open(
            StreamID(3),
            Frame.Open(
                path: "/kiem.v1.Control/Status",
                timeoutMicroseconds: 5_000_000,
                metadata: ["kiem-client": "kiemctl/0.1", "trace.id": "ab-12_cd", "empty": ""]
            ),
            endStream: true
        ),
        .message(StreamID(1), TestHelpers.buffer([0x08, 0x01, 0x12, 0x03, 0x61, 0x62, 0x63])),
        .message(StreamID(5), TestHelpers.buffer([]), endStream: true),
        .message(StreamID(7), ByteBuffer(repeating: 0xAB, count: 70_000)),
        .halfClose(StreamID(1)),
        .trailers(StreamID(1), .ok),
        .trailers(StreamID(9), Frame.Trailers(code: .notFound, message: "initiative 01JB… not found — ünïcode", metadata: ["retry-after": "5"])),
        .reset(StreamID(11), code: .cancelled, message: "caller gave up"),
        .reset(StreamID(0x7FFF_FFFF), code: .deadlineExceeded),
        .ping(0),
        .ping(0xDEAD_BEEF_CAFE_F00D),
        .pong(42),
        .goAway(Frame.GoAway(lastStreamID: StreamID(17), code: .noError, reason: "shutting down")),
        .goAway(Frame.GoAway(lastStreamID: .connection, code: ConnectionErrorCode(rawValue: 99))),
        .credit(.connection, 65_536),
        .credit(StreamID(3), Preface.maximumWindow),
    ]

    @Test("every frame type survives encode → decode", arguments: FrameCodecTests.sampleFrames)
    func roundTrip(frame: Frame) throws {
        let bytes = TestHelpers.bytes(frame)
        #expect(bytes.count == FrameHeader.size + frame.encodedPayloadLength)
        let decoded = try TestHelpers.decodeFrame(bytes)
        #expect(decoded == frame)
    }

    @Test("all sample frames in one buffer decode in order")
    func manyInOneBuffer() throws {
        let bytes = Self.sampleFrames.flatMap(TestHelpers.bytes)
        let items = try TestHelpers.decodeAll(bytes)
        #expect(items == Self.sampleFrames.map(InboundItem.frame))
    }

    @Test("the header is big-endian length, type, flags, stream id")
    func headerLayout() {
        let frame = Frame.message(StreamID(0x0102_0304), TestHelpers.buffer([0xAA, 0xBB, 0xCC]), endStream: true)
        #expect(TestHelpers.bytes(frame) == TestHelpers.bytes(hex: "00000003 02 01 01020304 aabbcc"))
    }

    @Test("payload layouts match WIRE.md")
    func payloadLayouts() {
        let open = Frame.open(StreamID(1), Frame.Open(path: "/a.B/C", timeoutMicroseconds: 1, metadata: ["k": "v"]))
        #expect(
            TestHelpers.bytes(open)
                == TestHelpers.bytes(hex: "00000017 01 00 00000001  0006 2f612e422f43  0000000000000001  0001 01 6b 0001 76")
        )
        let trailers = Frame.trailers(StreamID(1), Frame.Trailers(code: .unimplemented, message: "no"))
        #expect(TestHelpers.bytes(trailers) == TestHelpers.bytes(hex: "00000008 04 00 00000001  000c 0002 6e6f 0000"))
        let reset = Frame.reset(StreamID(3), code: .cancelled)
        #expect(TestHelpers.bytes(reset) == TestHelpers.bytes(hex: "00000004 05 00 00000003  0001 0000"))
        let goAway = Frame.goAway(Frame.GoAway(lastStreamID: StreamID(5), code: .frameSizeError, reason: "x"))
        #expect(TestHelpers.bytes(goAway) == TestHelpers.bytes(hex: "0000000b 08 00 00000000  00000005 00000004 0001 78"))
        #expect(TestHelpers.bytes(.credit(StreamID(1), 256)) == TestHelpers.bytes(hex: "00000004 09 00 00000001 00000100"))
        #expect(TestHelpers.bytes(.ping(1)) == TestHelpers.bytes(hex: "00000008 06 00 00000000 0000000000000001"))
        #expect(TestHelpers.bytes(.pong(1)) == TestHelpers.bytes(hex: "00000008 07 00 00000000 0000000000000001"))
        #expect(TestHelpers.bytes(.halfClose(StreamID(1))) == TestHelpers.bytes(hex: "00000000 03 00 00000001"))
    }

    @Test("a timeout of 0 on the wire means no deadline")
    func zeroTimeoutIsNone() throws {
        let bytes = TestHelpers.bytes(hex: "00000010 01 00 00000001  0004 2f612f62  0000000000000000  0000")
        let frame = try TestHelpers.decodeFrame(bytes)
        #expect(frame == .open(StreamID(1), Frame.Open(path: "/a/b", timeoutMicroseconds: nil)))
    }

    @Test("status codes a receiver does not know decode as UNKNOWN")
    func unknownStatusCode() throws {
        let bytes = TestHelpers.bytes(hex: "00000006 04 00 00000001  0063 0000 0000")
        let frame = try TestHelpers.decodeFrame(bytes)
        #expect(frame == .trailers(StreamID(1), Frame.Trailers(code: .unknown)))
    }

    @Test("status codes keep gRPC's numbering")
    func statusCodeNumbering() {
        let names = StatusCode.allCases.map { "\($0.rawValue)=\($0)" }
        #expect(
            names == [
                "0=OK", "1=CANCELLED", "2=UNKNOWN", "3=INVALID_ARGUMENT", "4=DEADLINE_EXCEEDED", "5=NOT_FOUND",
                "6=ALREADY_EXISTS", "7=PERMISSION_DENIED", "8=RESOURCE_EXHAUSTED", "9=FAILED_PRECONDITION",
                "10=ABORTED", "11=OUT_OF_RANGE", "12=UNIMPLEMENTED", "13=INTERNAL", "14=UNAVAILABLE",
                "15=DATA_LOSS", "16=UNAUTHENTICATED",
            ]
        )
    }

    @Test("over-long strings are cut at a scalar boundary, never mid-character")
    func longStringsTruncate() throws {
        let message = String(repeating: "é", count: 40_000)  // 80,000 bytes of UTF-8
        let frame = Frame.reset(StreamID(1), code: .internalError, message: message)
        let decoded = try #require(try TestHelpers.decodeFrame(TestHelpers.bytes(frame)))
        guard case .reset(let reset) = decoded.payload else {
            Issue.record("not a reset: \(decoded)")
            return
        }
        #expect(reset.message.utf8.count == 65_534)
        #expect(reset.message == String(repeating: "é", count: 32_767))
    }

    @Test("a MESSAGE payload is a slice of the input, not a copy")
    func messagePayloadIsSlice() throws {
        var input = ByteBuffer(bytes: TestHelpers.bytes(.message(StreamID(1), ByteBuffer(repeating: 7, count: 1024))))
        let inputBase = input.withUnsafeReadableBytes { $0.baseAddress! }
        var decoder = FrameDecoder(expectsPreface: false)
        let item = try #require(try decoder.decode(buffer: &input))
        guard case .frame(let frame) = item, case .message(let payload, _) = frame.payload else {
            Issue.record("expected a message, got \(item)")
            return
        }
        let payloadBase = payload.withUnsafeReadableBytes { $0.baseAddress! }
        #expect(payloadBase == inputBase + FrameHeader.size)
    }
}
