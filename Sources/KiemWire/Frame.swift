public import NIOCore

/// One frame of the Kiem wire protocol, decoded into a typed value.
///
/// On the wire a frame is a 10-byte header (``FrameHeader``: payload length,
/// type, flags, stream id) followed by the payload. Frames are values: the
/// decoder produces them, the encoder writes them, and the state machines
/// consume and produce them. A MESSAGE frame's payload is a slice of the
/// receive buffer, not a copy.
public struct Frame: Sendable, Hashable, CustomStringConvertible {
    /// The stream this frame belongs to, or ``StreamID/connection`` (0).
    public var streamID: StreamID
    /// The typed payload.
    public var payload: Payload

    /// Creates a frame.
    public init(streamID: StreamID, payload: Payload) {
        self.streamID = streamID
        self.payload = payload
    }

    /// The typed content of a frame; one case per ``FrameType``.
    public enum Payload: Sendable, Hashable {
        /// OPEN: a new stream. `endStream` is the END_STREAM flag.
        case open(Open, endStream: Bool)
        /// MESSAGE: one encoded message. `endStream` is the END_STREAM flag.
        case message(ByteBuffer, endStream: Bool)
        /// HALF_CLOSE: no more messages from the client.
        case halfClose
        /// TRAILERS: the server's final status.
        case trailers(Trailers)
        /// RST: the stream ends now, in both directions.
        case reset(Reset)
        /// PING with its 8 opaque bytes.
        case ping(UInt64)
        /// PONG echoing a PING's 8 bytes.
        case pong(UInt64)
        /// GOAWAY: the connection is closing.
        case goAway(GoAway)
        /// CREDIT: the receiver may send this many more MESSAGE payload bytes.
        case credit(UInt32)
    }

    /// The frame type the payload is sent as.
    public var type: FrameType {
        switch self.payload {
        case .open: .open
        case .message: .message
        case .halfClose: .halfClose
        case .trailers: .trailers
        case .reset: .reset
        case .ping: .ping
        case .pong: .pong
        case .goAway: .goAway
        case .credit: .credit
        }
    }

    /// The flags byte the payload is sent with.
    public var flags: FrameFlags {
        switch self.payload {
        case .open(_, let endStream), .message(_, let endStream):
            endStream ? .endStream : []
        default:
            []
        }
    }

    public var description: String {
        switch self.payload {
        case .open(let open, let endStream):
            "OPEN(stream: \(self.streamID), path: \(open.path), timeout: \(open.timeoutMicroseconds.map { "\($0)µs" } ?? "none"), metadata: \(open.metadata.count)\(endStream ? ", END_STREAM" : ""))"
        case .message(let buffer, let endStream):
            "MESSAGE(stream: \(self.streamID), \(buffer.readableBytes) bytes\(endStream ? ", END_STREAM" : ""))"
        case .halfClose:
            "HALF_CLOSE(stream: \(self.streamID))"
        case .trailers(let trailers):
            "TRAILERS(stream: \(self.streamID), \(trailers.code), \"\(trailers.message)\")"
        case .reset(let reset):
            "RST(stream: \(self.streamID), \(reset.code), \"\(reset.message)\")"
        case .ping(let data):
            "PING(\(data))"
        case .pong(let data):
            "PONG(\(data))"
        case .goAway(let goAway):
            "GOAWAY(last: \(goAway.lastStreamID), \(goAway.code), \"\(goAway.reason)\")"
        case .credit(let increment):
            "CREDIT(stream: \(self.streamID), +\(increment))"
        }
    }
}

extension Frame {
    /// An OPEN frame.
    public static func open(_ streamID: StreamID, _ open: Open, endStream: Bool = false) -> Frame {
        Frame(streamID: streamID, payload: .open(open, endStream: endStream))
    }

    /// A MESSAGE frame.
    public static func message(_ streamID: StreamID, _ bytes: ByteBuffer, endStream: Bool = false) -> Frame {
        Frame(streamID: streamID, payload: .message(bytes, endStream: endStream))
    }

    /// A HALF_CLOSE frame.
    public static func halfClose(_ streamID: StreamID) -> Frame {
        Frame(streamID: streamID, payload: .halfClose)
    }

    /// A TRAILERS frame.
    public static func trailers(_ streamID: StreamID, _ trailers: Trailers) -> Frame {
        Frame(streamID: streamID, payload: .trailers(trailers))
    }

    /// An RST frame.
    public static func reset(_ streamID: StreamID, code: StatusCode, message: String = "") -> Frame {
        Frame(streamID: streamID, payload: .reset(Reset(code: code, message: message)))
    }

    /// A PING frame (stream 0).
    public static func ping(_ data: UInt64) -> Frame {
        Frame(streamID: .connection, payload: .ping(data))
    }

    /// A PONG frame (stream 0).
    public static func pong(_ data: UInt64) -> Frame {
        Frame(streamID: .connection, payload: .pong(data))
    }

    /// A GOAWAY frame (stream 0).
    public static func goAway(_ goAway: GoAway) -> Frame {
        Frame(streamID: .connection, payload: .goAway(goAway))
    }

    /// A CREDIT frame; stream 0 means the connection window.
    public static func credit(_ streamID: StreamID, _ increment: UInt32) -> Frame {
        Frame(streamID: streamID, payload: .credit(increment))
    }
}
