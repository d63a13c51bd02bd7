/// The flags byte of a frame header.
///
/// Only ``endStream`` is defined in version 1, and only on OPEN and MESSAGE
/// frames sent by the client. Senders set undefined bits to zero; receivers
/// ignore them.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// On OPEN or MESSAGE from the client: this is the client's last frame on
    /// the stream, as if a HALF_CLOSE followed.
    public static let endStream = FrameFlags(rawValue: 0x01)
}
