public import NIOCore

/// The fixed 10-byte header in front of every frame.
///
/// ```
/// offset size field
///  0     4    length     payload length in bytes (big-endian u32), header excluded
///  4     1    type       ``FrameType``
///  5     1    flags      ``FrameFlags``
///  6     4    stream id  big-endian u32; top bit reserved (0)
/// ```
public struct FrameHeader: Sendable, Hashable {
    /// Size of the header on the wire.
    public static let size = 10

    /// Payload length in bytes.
    public var length: Int
    /// The frame type.
    public var type: FrameType
    /// The flags.
    public var flags: FrameFlags
    /// The stream id.
    public var streamID: StreamID

    /// Creates a header.
    public init(length: Int, type: FrameType, flags: FrameFlags, streamID: StreamID) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }

    /// Appends the 10 header bytes to `buffer` (e.g. to send a MESSAGE payload
    /// as a separate buffer, without copying it).
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(UInt32(truncatingIfNeeded: self.length), self.type.rawValue, self.flags.rawValue, self.streamID.rawValue)
    }

    /// The payload length a frame of this type must have, when it is fixed.
    var requiredPayloadLength: Int? {
        switch self.type {
        case .halfClose: 0
        case .ping, .pong: 8
        case .credit: 4
        case .open, .message, .trailers, .reset, .goAway: nil
        }
    }
}
