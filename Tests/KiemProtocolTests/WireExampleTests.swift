import Foundation
import KiemProtocol
import KiemWire
import NIOCore
import Testing

/// The annotated exchange at the end of Protocols/WIRE.md is produced here
/// from the real encoder; these tests keep the document and the code in step.
///
/// To print the dump (e.g. after a format change):
/// `KIEM_PRINT_WIRE_EXAMPLE=1 swift test --filter WireExampleTests`
@Suite("WIRE.md example exchange")
struct WireExampleTests {
    /// One annotated run of bytes.
    struct Segment {
        var bytes: [UInt8]
        var note: String
    }

    /// One preface or frame, split into annotated fields.
    struct Unit {
        var title: String
        var segments: [Segment]
        var bytes: [UInt8] { self.segments.flatMap(\.bytes) }
    }

    static let clientPreface = Preface()
    static let serverPreface = Preface(maxConcurrentStreams: 100)
    static let stream = StreamID(1)
    static let open = Frame.Open(
        path: MethodDescriptor.Control.removePeer.path,
        timeoutMicroseconds: 5_000_000,
        metadata: ["kiem-client": "kiemctl/0.1"]
    )

    static func request() throws -> ByteBuffer {
        var request = Kiem_V1_RemovePeerRequest()
        request.peer = "svb-1.kiem.example:7443"
        return try MessageCodec.encode(request)
    }

    static func response() throws -> ByteBuffer {
        var response = Kiem_V1_RemovePeerResponse()
        response.removed = true
        return try MessageCodec.encode(response)
    }

    /// The frames of the exchange, in order, with who sends them.
    static func frames() throws -> [(String, Frame)] {
        [
            ("client → server", .open(stream, open)),
            ("client → server", .message(stream, try request())),
            ("client → server", .halfClose(stream)),
            ("server → client", .message(stream, try response())),
            ("server → client", .trailers(stream, .ok)),
        ]
    }

    // MARK: - Annotation (walks the real encoding)

    struct Reader {
        var bytes: [UInt8]
        var offset = 0
        mutating func take(_ count: Int) -> [UInt8] {
            defer { self.offset += count }
            return Array(self.bytes[self.offset..<(self.offset + count)])
        }
        mutating func u16() -> (bytes: [UInt8], value: Int) {
            let bytes = self.take(2)
            return (bytes, Int(bytes[0]) << 8 | Int(bytes[1]))
        }
        mutating func integer(_ count: Int) -> (bytes: [UInt8], value: UInt64) {
            let bytes = self.take(count)
            return (bytes, bytes.reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    static func size(_ bytes: UInt64) -> String {
        bytes % (1024 * 1024) == 0 ? "\(bytes / 1024 / 1024) MiB" : "\(bytes / 1024) KiB"
    }

    static func annotate(preface: Preface, title: String) -> Unit {
        var reader = Reader(bytes: TestHelpers.bytes(preface))
        func field(_ size: Int, _ name: (UInt64) -> String) -> Segment {
            let (bytes, value) = reader.integer(size)
            return Segment(bytes: bytes, note: name(value))
        }
        return Unit(
            title: "\(title): preface, \(reader.bytes.count) bytes",
            segments: [
                Segment(bytes: reader.take(4), note: "magic \"KIEM\""),
                field(2) { "min version \($0)" },
                field(2) { "max version \($0)" },
                field(4) { "max frame size \($0) (\(size($0)))" },
                field(4) { "initial stream credit \($0) (\(size($0)))" },
                field(4) { "initial connection credit \($0) (\(size($0)))" },
                field(4) { "max concurrent streams \($0)" },
                field(2) { "extension length \($0)" },
            ]
        )
    }

    static func annotate(frame: Frame, title: String, messageNote: String = "") -> Unit {
        let encoded = TestHelpers.bytes(frame)
        var reader = Reader(bytes: encoded)
        var segments: [Segment] = []
        let length = reader.integer(4)
        segments.append(Segment(bytes: length.bytes, note: "length \(length.value)"))
        let type = reader.take(1)
        segments.append(Segment(bytes: type, note: "type \(FrameType(rawValue: type[0])!)"))
        let flags = reader.take(1)
        segments.append(Segment(bytes: flags, note: flags[0] & 1 == 1 ? "flags END_STREAM" : "flags none"))
        let streamID = reader.integer(4)
        segments.append(Segment(bytes: streamID.bytes, note: "stream id \(streamID.value)"))

        func string(_ name: String) {
            let length = reader.u16()
            segments.append(Segment(bytes: length.bytes, note: "\(name) length \(length.value)"))
            let bytes = reader.take(length.value)
            if !bytes.isEmpty {
                segments.append(Segment(bytes: bytes, note: "\"\(String(decoding: bytes, as: UTF8.self))\""))
            }
        }
        func metadata() {
            let count = reader.u16()
            segments.append(Segment(bytes: count.bytes, note: "metadata count \(count.value)"))
            for _ in 0..<count.value {
                let keyLength = reader.take(1)
                segments.append(Segment(bytes: keyLength, note: "key length \(keyLength[0])"))
                let key = reader.take(Int(keyLength[0]))
                segments.append(Segment(bytes: key, note: "\"\(String(decoding: key, as: UTF8.self))\""))
                string("value")
            }
        }

        switch frame.payload {
        case .open:
            string("path")
            let timeout = reader.integer(8)
            segments.append(Segment(bytes: timeout.bytes, note: "timeout \(timeout.value) µs (\(Double(timeout.value) / 1_000_000) s)"))
            metadata()
        case .message:
            segments.append(Segment(bytes: reader.take(Int(length.value)), note: messageNote))
        case .halfClose:
            break
        case .trailers:
            let code = reader.u16()
            segments.append(Segment(bytes: code.bytes, note: "status \(StatusCode(wireValue: UInt16(code.value)))"))
            string("message")
            metadata()
        default:
            Issue.record("the example has no \(frame.type)")
        }
        #expect(reader.offset == encoded.count, "annotation covers every byte")
        return Unit(title: "\(title): \(frame.type), \(encoded.count) bytes", segments: segments)
    }

    static func exchange() throws -> [Unit] {
        var units = [
            annotate(preface: clientPreface, title: "client → server"),
            annotate(preface: serverPreface, title: "server → client"),
        ]
        let notes = [
            "",
            "kiem.v1.RemovePeerRequest { peer: \"svb-1.kiem.example:7443\" }",
            "",
            "kiem.v1.RemovePeerResponse { removed: true }",
            "",
        ]
        for ((who, frame), note) in zip(try frames(), notes) {
            units.append(annotate(frame: frame, title: who, messageNote: note))
        }
        return units
    }

    /// The dump as it appears in WIRE.md.
    static func render(_ units: [Unit]) -> String {
        var lines: [String] = []
        for (index, unit) in units.enumerated() {
            if index > 0 { lines.append("") }
            lines.append("# \(index + 1). \(unit.title)")
            for segment in unit.segments {
                var chunks = stride(from: 0, to: max(segment.bytes.count, 1), by: 16).map {
                    Array(segment.bytes[$0..<min($0 + 16, segment.bytes.count)])
                }
                if segment.bytes.isEmpty { chunks = [] }
                for (n, chunk) in chunks.enumerated() {
                    let hex = TestHelpers.hex(chunk)
                    let note = n == 0 ? segment.note : ""
                    let line = note.isEmpty ? hex : hex.padding(toLength: 48, withPad: " ", startingAt: 0) + "  " + note
                    lines.append(line)
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static var wireMarkdown: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocols/WIRE.md")
    }

    // MARK: - Tests

    @Test("the encoder produces exactly the bytes of the example")
    func exactBytes() throws {
        let expected: [(Frame?, String)] = [
            (nil, "4b49454d 0001 0001 00400000 00100000 00800000 00000100 0000"),
            (nil, "4b49454d 0001 0001 00400000 00100000 00800000 00000064 0000"),
            (
                .open(Self.stream, Self.open),
                """
                00000040 01 00 00000001
                001b 2f6b69656d2e76312e436f6e74726f6c2f52656d6f766550656572
                00000000004c4b40
                0001 0b 6b69656d2d636c69656e74 000b 6b69656d63746c2f302e31
                """
            ),
            (
                .message(Self.stream, try Self.request()),
                "00000019 02 00 00000001 0a17 7376622d312e6b69656d2e6578616d706c653a37343433"
            ),
            (.halfClose(Self.stream), "00000000 03 00 00000001"),
            (.message(Self.stream, try Self.response()), "00000002 02 00 00000001 0801"),
            (.trailers(Self.stream, .ok), "00000006 04 00 00000001 0000 0000 0000"),
        ]
        #expect(TestHelpers.bytes(Self.clientPreface) == TestHelpers.bytes(hex: expected[0].1))
        #expect(TestHelpers.bytes(Self.serverPreface) == TestHelpers.bytes(hex: expected[1].1))
        for (frame, hex) in expected.dropFirst(2) {
            let frame = try #require(frame)
            #expect(TestHelpers.bytes(frame) == TestHelpers.bytes(hex: hex), "\(frame)")
            // And they decode back to the same frame.
            #expect(try TestHelpers.decodeFrame(TestHelpers.bytes(hex: hex)) == frame)
        }
        let units = try Self.exchange()
        #expect(units.map(\.bytes) == expected.map { TestHelpers.bytes(hex: $0.1) })
    }

    @Test("the example runs through real state machines on both sides")
    func exchangeThroughStateMachines() throws {
        let now = TestHelpers.time(0)
        var client = ConnectionStateMachine(role: .client, configuration: .init(preface: Self.clientPreface), now: now)
        var server = ConnectionStateMachine(role: .server, configuration: .init(preface: Self.serverPreface), now: now)
        var serverDecoder = FrameDecoder()
        var clientDecoder = FrameDecoder()
        var toServer = ByteBuffer(bytes: TestHelpers.bytes(Self.clientPreface))
        var toClient = ByteBuffer(bytes: TestHelpers.bytes(Self.serverPreface))

        guard case .preface(let p1)? = try serverDecoder.decode(buffer: &toServer),
            case .preface(let p2)? = try clientDecoder.decode(buffer: &toClient)
        else {
            Issue.record("prefaces did not decode")
            return
        }
        #expect(server.receivePreface(p1, now: now).isPrefaceAccepted)
        #expect(client.receivePreface(p2, now: now).isPrefaceAccepted)

        let open = try client.openStream(path: Self.open.path, metadata: Self.open.metadata, timeout: .seconds(5), now: now)
        guard case .send(let message) = try client.sendMessage(try Self.request(), on: open.streamID) else {
            Issue.record("blocked")
            return
        }
        let halfClose = try client.sendHalfClose(on: open.streamID)
        for frame in [open, message, halfClose] {
            FrameEncoder.encode(frame, into: &toServer)
        }
        #expect(Array(toServer.readableBytesView) == (try Self.exchange())[2...4].flatMap(\.bytes))

        var serverActions: [ConnectionAction] = []
        while case .frame(let frame)? = try serverDecoder.decode(buffer: &toServer) {
            serverActions.append(server.receiveFrame(frame, now: now))
        }
        #expect(serverActions.count == 3)
        guard case .deliverMessage(_, let requestBytes, _) = serverActions[1] else {
            Issue.record("no request delivered")
            return
        }
        let request = try MessageCodec.decode(Kiem_V1_RemovePeerRequest.self, from: requestBytes)
        #expect(request.peer == "svb-1.kiem.example:7443")

        guard case .send(let reply) = try server.sendMessage(try Self.response(), on: open.streamID) else {
            Issue.record("blocked")
            return
        }
        FrameEncoder.encode(reply, into: &toClient)
        FrameEncoder.encode(try server.sendTrailers(.ok, on: open.streamID), into: &toClient)
        #expect(Array(toClient.readableBytesView) == (try Self.exchange())[5...6].flatMap(\.bytes))

        var clientActions: [ConnectionAction] = []
        while case .frame(let frame)? = try clientDecoder.decode(buffer: &toClient) {
            clientActions.append(client.receiveFrame(frame, now: now))
        }
        #expect(clientActions.last == .deliverTrailers(open.streamID, .ok))
    }

    @Test("WIRE.md contains the dump generated from the encoder, verbatim")
    func wireMarkdownMatches() throws {
        let dump = Self.render(try Self.exchange())
        if ProcessInfo.processInfo.environment["KIEM_PRINT_WIRE_EXAMPLE"] != nil {
            print("----- BEGIN WIRE EXAMPLE -----\n\(dump)\n----- END WIRE EXAMPLE -----")
        }
        let markdown = try String(contentsOf: Self.wireMarkdown, encoding: .utf8)
        #expect(markdown.contains("```text\n\(dump)\n```"), "regenerate the dump in WIRE.md (see this file's comment)")
    }
}
