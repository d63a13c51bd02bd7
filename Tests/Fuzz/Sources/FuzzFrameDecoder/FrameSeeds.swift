import KiemWire
import NIOCore

/// Seeds: each kind of frame, written by `FrameEncoder`, alone and in a
/// stream, behind a chunk-size byte.
enum FrameSeeds {
    static func all() -> [(name: String, bytes: [UInt8])] {
        let stream = StreamID(3)
        let frames: [(String, Frame)] = [
            ("open", .open(stream, Frame.Open(path: "/kiem.v1.Sync/Pull", timeoutMicroseconds: 2_000_000, metadata: ["kiem-node": "uwv-1"]))),
            ("open-end-stream", .open(stream, Frame.Open(path: "/kiem.v1.Control/Status", timeoutMicroseconds: nil), endStream: true)),
            ("message", .message(stream, ByteBuffer(bytes: [0x0A, 0x03, 0x61, 0x62, 0x63]))),
            ("message-end-stream", .message(stream, ByteBuffer(), endStream: true)),
            ("half-close", .halfClose(stream)),
            ("trailers", .trailers(stream, Frame.Trailers(code: .notFound, message: "no such initiative", metadata: ["k": "v", "k": "w"]))),
            ("reset", .reset(stream, code: .cancelled, message: "bye")),
            ("ping", .ping(0x0102_0304_0506_0708)),
            ("pong", .pong(7)),
            ("go-away", .goAway(Frame.GoAway(lastStreamID: StreamID(5), code: .protocolError, reason: "frame on a stream never opened"))),
            ("credit-connection", .credit(.connection, 65_536)),
            ("credit-stream", .credit(stream, 1)),
        ]
        func encoded(_ frames: [Frame]) -> [UInt8] {
            var buffer = ByteBuffer()
            for frame in frames { FrameEncoder.encode(frame, into: &buffer) }
            return Array(buffer.readableBytesView)
        }
        var seeds = frames.map { (name: $0.0, bytes: [UInt8(7)] + encoded([$0.1])) }
        seeds.append((name: "stream", bytes: [UInt8(0)] + encoded(frames.map(\.1))))
        return seeds
    }
}
