import KiemProtocol
@testable import KiemTransport
import KiemWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// The connection handler in an `EmbeddedChannel`: bytes in, bytes out, no
/// socket and no task; what needs a handler task is tested over loopback.
@Suite("RPC connection handler in an embedded channel")
struct RPCConnectionHandlerTests {
    /// A server handler with no methods, active, its preface already read.
    static func server() throws -> (EmbeddedChannel, [Frame]) {
        let channel = EmbeddedChannel()
        let handler = RPCConnectionHandler(
            role: .server, configuration: RPCConnectionConfiguration(), router: RPCRouter(),
            eventLoop: channel.eventLoop, logger: Logger(label: "kiem.test") { _ in SwiftLogNoOpLogHandler() })
        try channel.pipeline.syncOperations.addHandler(handler)
        // An embedded channel connects at once, without waiting.
        channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 7400), promise: nil)
        #expect(channel.isActive)
        var client = ConnectionStateMachine(role: .client, now: .now())
        var hello = channel.allocator.buffer(capacity: 64)
        client.localPreface.write(to: &hello)
        try channel.writeInbound(hello)
        return (channel, try Self.written(channel, expectingPreface: true))
    }

    /// Decodes what the handler wrote since the last call.
    static func written(_ channel: EmbeddedChannel, expectingPreface: Bool = false) throws -> [Frame] {
        var bytes = channel.allocator.buffer(capacity: 256)
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&chunk) }
        var decoder = FrameDecoder(expectsPreface: expectingPreface)
        var frames: [Frame] = []
        while let item = try decoder.decode(buffer: &bytes) {
            if case let .frame(frame) = item { frames.append(frame) }
        }
        return frames
    }

    static func send(_ frames: [Frame], to channel: EmbeddedChannel) throws {
        var bytes = channel.allocator.buffer(capacity: 256)
        for frame in frames { frame.write(to: &bytes) }
        try channel.writeInbound(bytes)
    }

    @Test("the server sends its preface at once; a PING gets its PONG")
    func preface() throws {
        let (channel, frames) = try Self.server()
        #expect(frames.isEmpty, "only the preface so far")
        try Self.send([.ping(42)], to: channel)
        #expect(try Self.written(channel) == [Frame(streamID: .connection, payload: .pong(42))])
        _ = try? channel.finish()
    }

    @Test("an OPEN for an unknown method is answered TRAILERS UNIMPLEMENTED; the connection goes on")
    func unknownMethod() throws {
        let (channel, _) = try Self.server()
        try Self.send([.open(StreamID(1), Frame.Open(path: "/kiem.v1.Nowhere/Nothing"), endStream: true)], to: channel)
        let frames = try Self.written(channel)
        guard case let .trailers(trailers)? = frames.first?.payload else {
            Issue.record("expected TRAILERS, got \(frames)")
            return
        }
        #expect(frames.first?.streamID == StreamID(1) && trailers.code == .unimplemented)
        try Self.send([.ping(7)], to: channel)
        #expect(try Self.written(channel) == [Frame(streamID: .connection, payload: .pong(7))])
        _ = try? channel.finish()
    }

    @Test("a frame on a stream never opened is a connection error: GOAWAY PROTOCOL_ERROR, then the close")
    func protocolError() throws {
        let (channel, _) = try Self.server()
        try Self.send([.halfClose(StreamID(5))], to: channel)
        let frames = try Self.written(channel)
        guard case let .goAway(goAway)? = frames.last?.payload else {
            Issue.record("expected GOAWAY, got \(frames)")
            return
        }
        #expect(goAway.code == .protocolError)
        #expect(!channel.isActive, "closed after the GOAWAY")
    }
}
