import KiemProtocol
import KiemWire
import NIOCore
import Testing

@Suite("Preface and version negotiation")
struct PrefaceTests {
    @Test("the default preface is 26 bytes in the documented layout")
    func defaultLayout() {
        #expect(
            TestHelpers.bytes(Preface())
                == TestHelpers.bytes(hex: "4b49454d 0001 0001 00400000 00100000 00800000 00000100 0000")
        )
    }

    @Test("round trip, with and without extensions")
    func roundTrip() throws {
        let plain = Preface(minVersion: 1, maxVersion: 3, maxFrameSize: 16_384, initialStreamCredit: 0, initialConnectionCredit: 1)
        let extended = Preface(extensions: ByteBuffer(bytes: [1, 2, 3, 4, 5]))
        let bytes = TestHelpers.bytes(plain) + TestHelpers.bytes(extended)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try Preface.read(from: &buffer) == plain)
        #expect(try Preface.read(from: &buffer) == extended)
        #expect(buffer.readableBytes == 0)
    }

    @Test("an incomplete preface consumes nothing")
    func incomplete() throws {
        let bytes = TestHelpers.bytes(Preface(extensions: ByteBuffer(bytes: [9, 9])))
        for length in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes.prefix(length))
            #expect(try Preface.read(from: &buffer) == nil)
            #expect(buffer.readableBytes == length)
        }
    }

    @Test(
        "bad magic is refused as soon as the first wrong byte arrives",
        arguments: ["GET / HTTP/1.1\r\n", "\u{16}\u{03}\u{01}", "KIEN", "K", "PRI * HTTP/2.0"]
    )
    func badMagic(input: String) throws {
        let bytes = Array(input.utf8)
        guard !Preface.magic.starts(with: bytes) else {
            // "K" alone is a valid start: the decoder waits.
            var buffer = ByteBuffer(bytes: bytes)
            #expect(try Preface.read(from: &buffer) == nil)
            return
        }
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: FrameDecodingError.badPrefaceMagic) { _ = try Preface.read(from: &buffer) }
        #expect(throws: FrameDecodingError.badPrefaceMagic) {
            _ = try TestHelpers.decodeAll(bytes, expectsPreface: true, atEOF: false)
        }
    }

    @Test(
        "malformed preface fields",
        arguments: [
            "4b49454d 0000 0001 00400000 00100000 00800000 00000100 0000",  // min version 0
            "4b49454d 0002 0001 00400000 00100000 00800000 00000100 0000",  // min above max
            "4b49454d 0001 0001 00003fff 00100000 00800000 00000100 0000",  // frame size below 16 KiB
            "4b49454d 0001 0001 01000001 00100000 00800000 00000100 0000",  // frame size above 16 MiB
            "4b49454d 0001 0001 00400000 80000000 00800000 00000100 0000",  // stream credit above 2^31-1
            "4b49454d 0001 0001 00400000 00100000 ffffffff 00000100 0000",  // connection credit above 2^31-1
            "4b49454d 0001 0001 00400000 00100000 00800000 00000100 0401",  // extensions longer than 1024
        ]
    )
    func malformed(hex: String) {
        var buffer = ByteBuffer(bytes: TestHelpers.bytes(hex: hex))
        #expect {
            _ = try Preface.read(from: &buffer)
        } throws: { error in
            guard let error = error as? FrameDecodingError, case .malformedPreface = error else { return false }
            return error.connectionError.code == .protocolError
        }
    }

    @Test(
        "negotiation picks the highest common version",
        arguments: [
            ((1, 1), (1, 1), 1),
            ((1, 3), (2, 5), 3),
            ((2, 5), (1, 3), 3),
            ((1, 9), (4, 4), 4),
        ] as [((UInt16, UInt16), (UInt16, UInt16), UInt16)]
    )
    func negotiation(local: (UInt16, UInt16), peer: (UInt16, UInt16), expected: UInt16) throws {
        let ours = Preface(minVersion: local.0, maxVersion: local.1)
        let theirs = Preface(minVersion: peer.0, maxVersion: peer.1, maxFrameSize: 65_536)
        let settings = try ours.negotiate(with: theirs).get()
        #expect(settings.version == expected)
        #expect(settings.maxOutboundFrameSize == 65_536)
        #expect(settings.maxInboundFrameSize == Int(Preface.defaultMaximumFrameSize))
        // Both sides reach the same version.
        #expect(try theirs.negotiate(with: ours).get().version == expected)
    }

    @Test("no common version: UNSUPPORTED_VERSION")
    func unsupportedVersion() {
        let ours = Preface(minVersion: 1, maxVersion: 1)
        let theirs = Preface(minVersion: 2, maxVersion: 4)
        guard case .failure(let error) = ours.negotiate(with: theirs) else {
            Issue.record("negotiation should fail")
            return
        }
        #expect(error.code == .unsupportedVersion)
        #expect(error.reason.contains("1...1") && error.reason.contains("2...4"))
    }
}
