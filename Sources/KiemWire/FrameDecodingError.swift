/// Why the ``FrameDecoder`` refused its input.
///
/// Every case is fatal for the connection: the byte stream cannot be trusted
/// after it. ``connectionError`` gives the GOAWAY to send before closing.
public enum FrameDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first bytes on the connection are not the magic `KIEM`.
    case badPrefaceMagic
    /// The preface has the magic but an invalid field.
    case malformedPreface(String)
    /// A header announced a payload longer than the maximum frame size this
    /// side announced.
    case frameTooLarge(length: Int, maximum: Int)
    /// A header's type byte is not a version 1 frame type.
    case unknownFrameType(UInt8)
    /// A stream id the frame type does not allow: the reserved bit set, 0 on a
    /// stream frame, non-zero on a connection frame, or even.
    case invalidStreamID(type: FrameType, streamID: UInt32)
    /// The payload does not match its frame type's layout.
    case malformedPayload(type: FrameType, reason: String)
    /// The byte stream ended inside a preface or frame; `leftoverBytes` of it
    /// had arrived.
    case truncated(leftoverBytes: Int)
    /// The decoder already failed; it does not decode anything after an error.
    case alreadyFailed

    /// The GOAWAY a receiver sends for this error.
    public var connectionError: ConnectionError {
        switch self {
        case .frameTooLarge:
            ConnectionError(.frameSizeError, self.description)
        default:
            ConnectionError(.protocolError, self.description)
        }
    }

    public var description: String {
        switch self {
        case .badPrefaceMagic:
            "bad preface: connection does not start with \"KIEM\""
        case .malformedPreface(let reason):
            "malformed preface: \(reason)"
        case .frameTooLarge(let length, let maximum):
            "frame payload of \(length) bytes exceeds the maximum frame size of \(maximum) bytes"
        case .unknownFrameType(let type):
            "unknown frame type 0x\(String(type, radix: 16))"
        case .invalidStreamID(let type, let streamID):
            "invalid stream id \(streamID) for \(type)"
        case .malformedPayload(let type, let reason):
            "malformed \(type) payload: \(reason)"
        case .truncated(let leftoverBytes):
            "connection ended inside a frame (\(leftoverBytes) bytes left over)"
        case .alreadyFailed:
            "decoder already failed"
        }
    }
}
