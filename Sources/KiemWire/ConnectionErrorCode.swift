/// Why a connection is closing, as carried in GOAWAY.
///
/// A struct rather than an enum so that codes from a newer peer survive a
/// round trip; the receiver treats any code it does not know like
/// ``protocolError``.
public struct ConnectionErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The wire value (big-endian `UInt32` in GOAWAY).
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Graceful shutdown; not an error.
    public static let noError = ConnectionErrorCode(rawValue: 0)
    /// The peer broke a rule of this specification.
    public static let protocolError = ConnectionErrorCode(rawValue: 1)
    /// The sender hit an internal failure.
    public static let internalError = ConnectionErrorCode(rawValue: 2)
    /// The peer sent more MESSAGE bytes than its credit allowed, or overflowed a window.
    public static let flowControlError = ConnectionErrorCode(rawValue: 3)
    /// A frame's length exceeded the maximum frame size the receiver announced.
    public static let frameSizeError = ConnectionErrorCode(rawValue: 4)
    /// The two prefaces share no protocol version.
    public static let unsupportedVersion = ConnectionErrorCode(rawValue: 5)
    /// The peer is generating excessive load (e.g. PINGs too often).
    public static let enhanceYourCalm = ConnectionErrorCode(rawValue: 6)
    /// The peer did not send its preface, or answer a PING, in time.
    public static let timeout = ConnectionErrorCode(rawValue: 7)

    public var description: String {
        switch self.rawValue {
        case 0: "NO_ERROR"
        case 1: "PROTOCOL_ERROR"
        case 2: "INTERNAL_ERROR"
        case 3: "FLOW_CONTROL_ERROR"
        case 4: "FRAME_SIZE_ERROR"
        case 5: "UNSUPPORTED_VERSION"
        case 6: "ENHANCE_YOUR_CALM"
        case 7: "TIMEOUT"
        default: "UNKNOWN(\(self.rawValue))"
        }
    }
}
