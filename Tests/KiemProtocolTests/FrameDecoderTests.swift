import KiemProtocol
import KiemWire
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    @Test("passes ByteToMessageDecoderVerifier (byte by byte, whole, many at once)")
    func verifier() throws {
        // Drip-feeding is byte by byte through a channel, ten times over: keep the frames small.
        let frames = FrameCodecTests.sampleFrames.filter { $0.encodedPayloadLength < 4096 }
            + [.message(StreamID(9), ByteBuffer(repeating: 0xCD, count: 3000), endStream: true)]
        let pairs = frames.map { frame in
            (ByteBuffer(bytes: TestHelpers.bytes(frame)), [InboundItem.frame(frame)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(expectsPreface: false)
        }
    }

    @Test("passes the verifier with MESSAGE frames of every payload length 0...40")
    func verifierVariousLengths() throws {
        let pairs = (0...40).map { length in
            let frame = Frame.message(StreamID(UInt32(2 * length + 1)), ByteBuffer(repeating: UInt8(length), count: length))
            return (ByteBuffer(bytes: TestHelpers.bytes(frame)), [InboundItem.frame(frame)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(expectsPreface: false)
        }
    }

    @Test("decodes the preface first, then frames, fed one byte at a time")
    func prefaceThenFramesDripFed() throws {
        let preface = Preface(maxConcurrentStreams: 7)
        let frames: [Frame] = [.ping(1), .open(StreamID(1), Frame.Open(path: "/kiem.v1.Sync/Handshake")), .halfClose(StreamID(1))]
        let bytes = TestHelpers.bytes(preface) + frames.flatMap(TestHelpers.bytes)
        var decoder = FrameDecoder()
        var buffer = ByteBuffer()
        var items: [InboundItem] = []
        for byte in bytes {
            buffer.writeInteger(byte)
            while let item = try decoder.decode(buffer: &buffer) {
                items.append(item)
            }
        }
        #expect(items == [.preface(preface)] + frames.map(InboundItem.frame))
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
    }

    @Test("works inside a NIO pipeline (EmbeddedChannel) and reports leftover bytes at EOF")
    func embeddedChannel() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(expectsPreface: false)))
        var input = ByteBuffer(bytes: TestHelpers.bytes(.ping(9)) + [0x00, 0x00, 0x00])
        try channel.writeInbound(input.readSlice(length: input.readableBytes)!)
        #expect(try channel.readInbound(as: InboundItem.self) == .frame(Frame.ping(9)))
        #expect(throws: FrameDecodingError.truncated(leftoverBytes: 3)) {
            _ = try channel.finish()
        }
    }

    // MARK: - Malformed input

    @Test("truncated header at end of stream: leftover bytes reported")
    func truncatedHeader() {
        let bytes = Array(TestHelpers.bytes(.ping(1)).prefix(7))
        #expect(throws: FrameDecodingError.truncated(leftoverBytes: 7)) {
            _ = try TestHelpers.decodeAll(bytes)
        }
        // Without EOF the decoder just waits for more.
        #expect((try? TestHelpers.decodeAll(bytes, atEOF: false)) == [])
    }

    @Test("truncated payload at end of stream: header and partial payload reported")
    func truncatedPayload() {
        let bytes = Array(TestHelpers.bytes(.message(StreamID(1), ByteBuffer(repeating: 1, count: 100))).prefix(60))
        #expect(throws: FrameDecodingError.truncated(leftoverBytes: 60)) {
            _ = try TestHelpers.decodeAll(bytes)
        }
    }

    @Test("truncated preface at end of stream")
    func truncatedPreface() {
        let bytes = Array(TestHelpers.bytes(Preface()).prefix(20))
        #expect(throws: FrameDecodingError.truncated(leftoverBytes: 20)) {
            _ = try TestHelpers.decodeAll(bytes, expectsPreface: true)
        }
    }

    @Test("length over the maximum fails on the header, before the payload arrives")
    func lengthOverMaximum() {
        let header = TestHelpers.bytes(hex: "00010001 02 00 00000001")  // 65,537-byte MESSAGE
        #expect(throws: FrameDecodingError.frameTooLarge(length: 65_537, maximum: 65_536)) {
            _ = try TestHelpers.decodeAll(header, maximumFrameLength: 65_536, atEOF: false)
        }
        // Exactly the maximum is fine.
        let exact = TestHelpers.bytes(.message(StreamID(1), ByteBuffer(repeating: 0, count: 65_536)))
        #expect((try? TestHelpers.decodeAll(exact, maximumFrameLength: 65_536))?.count == 1)
        // A length near 4 GiB is refused the same way.
        #expect(throws: FrameDecodingError.frameTooLarge(length: 0xFFFF_FFFF, maximum: 4_194_304)) {
            _ = try TestHelpers.decodeAll(TestHelpers.bytes(hex: "ffffffff 02 00 00000001"), atEOF: false)
        }
        #expect(FrameDecodingError.frameTooLarge(length: 1, maximum: 0).connectionError.code == .frameSizeError)
    }

    @Test("unknown frame type", arguments: [0x00, 0x0A, 0x7F, 0xFF] as [UInt8])
    func unknownFrameType(type: UInt8) {
        let bytes = TestHelpers.bytes(hex: "00000000") + [type] + TestHelpers.bytes(hex: "00 00000001")
        #expect(throws: FrameDecodingError.unknownFrameType(type)) {
            _ = try TestHelpers.decodeAll(bytes, atEOF: false)
        }
        #expect(FrameDecodingError.unknownFrameType(type).connectionError.code == .protocolError)
    }

    @Test(
        "stream ids a frame type does not allow",
        arguments: [
            ("00000000 03 00 00000000", FrameType.halfClose, 0),  // stream frame on stream 0
            ("00000000 03 00 00000002", FrameType.halfClose, 2),  // even id
            ("00000000 03 00 80000001", FrameType.halfClose, 0x8000_0001),  // reserved bit
            ("00000008 06 00 00000001 0000000000000000", FrameType.ping, 1),  // PING on a stream
            ("00000004 09 00 00000004 00000001", FrameType.credit, 4),  // CREDIT on an even id
        ] as [(String, FrameType, UInt32)]
    )
    func invalidStreamID(hex: String, type: FrameType, streamID: UInt32) {
        #expect(throws: FrameDecodingError.invalidStreamID(type: type, streamID: streamID)) {
            _ = try TestHelpers.decodeAll(TestHelpers.bytes(hex: hex))
        }
    }

    @Test(
        "payloads that do not match their layout",
        arguments: [
            "00000007 06 00 00000000 00000000000000",  // PING of 7 bytes
            "00000001 03 00 00000001 00",  // HALF_CLOSE with a payload
            "00000004 09 00 00000001 00000000",  // CREDIT of 0
            "00000004 09 00 00000001 80000000",  // CREDIT above 2^31 - 1
            "00000002 01 00 00000001 0005",  // OPEN path length beyond the payload
            "0000000e 01 00 00000001 0004 61626364 0000000000000000",  // path not starting with "/", no metadata count
            "0000000e 01 00 00000001 0002 2f61 0000000000000000 0001",  // metadata entry missing
            "00000013 01 00 00000001 0002 2f61 0000000000000000 0001 01 41 0001 76",  // upper-case metadata key
            "00000012 01 00 00000001 0002 2f61 0000000000000000 0001 00 0001 76",  // empty metadata key
            "00000005 04 00 00000001 0000 0001 ff",  // invalid UTF-8 status message
            "00000007 04 00 00000001 0000 0000 0000 00",  // trailing byte after TRAILERS
            "00000003 05 00 00000001 000d 00",  // RST message length cut
            "00000009 08 00 00000000 80000001 00000000 00",  // GOAWAY last id with the reserved bit
        ]
    )
    func malformedPayload(hex: String) {
        #expect {
            _ = try TestHelpers.decodeAll(TestHelpers.bytes(hex: hex))
        } throws: { error in
            guard let error = error as? FrameDecodingError, case .malformedPayload = error else { return false }
            return error.connectionError.code == .protocolError
        }
    }

    @Test("after an error the decoder refuses everything")
    func failedDecoderStaysFailed() throws {
        var decoder = FrameDecoder(expectsPreface: false)
        var bad = ByteBuffer(bytes: TestHelpers.bytes(hex: "00000000 ee 00 00000001"))
        #expect(throws: FrameDecodingError.unknownFrameType(0xEE)) { _ = try decoder.decode(buffer: &bad) }
        var good = ByteBuffer(bytes: TestHelpers.bytes(.ping(1)))
        #expect(throws: FrameDecodingError.alreadyFailed) { _ = try decoder.decode(buffer: &good) }
        #expect(try decoder.decodeLast(buffer: &good, seenEOF: true) == nil)
    }
}
