/// The type byte of a frame header.
///
/// Raw values are part of the wire format. A byte that is not one of these is
/// a connection error (`PROTOCOL_ERROR`): versions are negotiated in the
/// preface, so a peer never has a reason to send a type its version lacks.
public enum FrameType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Opens a stream: method path, timeout, request metadata. Client only.
    case open = 0x01
    /// One protobuf-encoded message on a stream.
    case message = 0x02
    /// The client will send no more messages on the stream.
    case halfClose = 0x03
    /// The server's final status and response metadata; ends the stream.
    case trailers = 0x04
    /// Abruptly ends a stream in both directions (cancellation, refusal, deadline).
    case reset = 0x05
    /// Liveness probe; the receiver answers with PONG.
    case ping = 0x06
    /// Answer to PING, echoing its 8 bytes.
    case pong = 0x07
    /// The sender is closing the connection; carries the last stream it processed.
    case goAway = 0x08
    /// Flow-control window update for a stream or the connection.
    case credit = 0x09

    /// The name used in WIRE.md, e.g. `HALF_CLOSE`.
    public var description: String {
        switch self {
        case .open: "OPEN"
        case .message: "MESSAGE"
        case .halfClose: "HALF_CLOSE"
        case .trailers: "TRAILERS"
        case .reset: "RST"
        case .ping: "PING"
        case .pong: "PONG"
        case .goAway: "GOAWAY"
        case .credit: "CREDIT"
        }
    }

    /// Whether frames of this type must be sent on stream 0 (true), on a
    /// stream other than 0 (false), or either (nil: CREDIT).
    var requiresConnectionStream: Bool? {
        switch self {
        case .ping, .pong, .goAway: true
        case .open, .message, .halfClose, .trailers, .reset: false
        case .credit: nil
        }
    }
}
