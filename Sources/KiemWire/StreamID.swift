/// Identifies a stream within one connection.
///
/// Stream ids are 31-bit: the top bit of the 32-bit wire field is reserved and
/// must be zero. Id 0 addresses the connection itself (PING, PONG, GOAWAY and
/// connection-level CREDIT). Clients open streams with odd ids in strictly
/// increasing order and never reuse one; even ids are reserved.
public struct StreamID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The wire value.
    public var rawValue: UInt32

    /// Wraps a wire value. Values with the reserved top bit set are not valid
    /// stream ids; the decoder rejects them before they get here.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Wraps a wire value.
    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Stream id 0: frames that concern the whole connection.
    public static let connection = StreamID(0)

    /// The largest usable stream id, 2^31 - 1.
    public static let maximum = StreamID(0x7FFF_FFFF)

    /// Whether this is id 0.
    public var isConnection: Bool { self.rawValue == 0 }

    /// Whether a client may open a stream with this id (odd, within range).
    public var isClientInitiated: Bool {
        self.rawValue & 1 == 1 && self.rawValue <= StreamID.maximum.rawValue
    }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { String(self.rawValue) }
}
