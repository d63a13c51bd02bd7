public import NIOCore

/// The connection preface: the first bytes each side sends, before any frame.
///
/// ```
/// offset size field
///  0     4    magic                      "KIEM" (4B 49 45 4D)
///  4     2    min version                lowest protocol version the sender speaks
///  6     2    max version                highest protocol version the sender speaks
///  8     4    max frame size             largest frame payload the sender accepts
/// 12     4    initial stream credit      MESSAGE bytes the peer may send on each new stream
/// 16     4    initial connection credit  MESSAGE bytes the peer may send on the whole connection
/// 20     4    max concurrent streams     streams the peer may have open towards the sender
/// 24     2    extension length n         0...1024; 0 in version 1
/// 26     n    extensions                 reserved; receivers skip them
/// ```
/// All integers are big-endian. Both sides send a preface as soon as the
/// connection is up and send no frame before they have received and accepted
/// the peer's (see ``negotiate(with:)``).
public struct Preface: Sendable, Hashable {
    /// The magic bytes, ASCII `KIEM`.
    public static let magic: [UInt8] = [0x4B, 0x49, 0x45, 0x4D]
    /// Size of the preface without extensions.
    public static let fixedSize = 26
    /// The protocol version this implementation speaks.
    public static let version1: UInt16 = 1
    /// Default maximum frame payload: 4 MiB.
    public static let defaultMaximumFrameSize: UInt32 = 4 * 1024 * 1024
    /// The range a max frame size must lie in: 16 KiB ... 16 MiB.
    public static let frameSizeRange: ClosedRange<UInt32> = (16 * 1024)...(16 * 1024 * 1024)
    /// The largest flow-control window (and credit increment): 2^31 - 1.
    public static let maximumWindow: UInt32 = 0x7FFF_FFFF
    /// The longest extension block.
    public static let maximumExtensionLength = 1024

    /// Lowest protocol version the sender speaks (at least 1).
    public var minVersion: UInt16
    /// Highest protocol version the sender speaks (at least ``minVersion``).
    public var maxVersion: UInt16
    /// Largest frame payload the sender accepts, in ``frameSizeRange``.
    public var maxFrameSize: UInt32
    /// MESSAGE payload bytes the peer may send on each stream before it needs CREDIT.
    public var initialStreamCredit: UInt32
    /// MESSAGE payload bytes the peer may send on the connection before it needs CREDIT.
    public var initialConnectionCredit: UInt32
    /// How many streams the peer may have open towards the sender at once.
    /// Only a server's value limits anything in version 1.
    public var maxConcurrentStreams: UInt32
    /// Reserved extension bytes; empty in version 1, skipped by receivers.
    public var extensions: ByteBuffer

    /// Creates a preface. The defaults are Kiem's: version 1 only, 4 MiB
    /// frames, 1 MiB per-stream and 8 MiB connection credit, 256 streams.
    public init(
        minVersion: UInt16 = Preface.version1,
        maxVersion: UInt16 = Preface.version1,
        maxFrameSize: UInt32 = Preface.defaultMaximumFrameSize,
        initialStreamCredit: UInt32 = 1024 * 1024,
        initialConnectionCredit: UInt32 = 8 * 1024 * 1024,
        maxConcurrentStreams: UInt32 = 256,
        extensions: ByteBuffer = ByteBuffer()
    ) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.maxFrameSize = maxFrameSize
        self.initialStreamCredit = initialStreamCredit
        self.initialConnectionCredit = initialConnectionCredit
        self.maxConcurrentStreams = maxConcurrentStreams
        self.extensions = extensions
    }

    /// Appends the encoded preface to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        let extensionLength = min(self.extensions.readableBytes, Preface.maximumExtensionLength)
        buffer.reserveCapacity(minimumWritableBytes: Preface.fixedSize + extensionLength)
        buffer.writeBytes(Preface.magic)
        buffer.writeMultipleIntegers(
            self.minVersion,
            self.maxVersion,
            self.maxFrameSize,
            self.initialStreamCredit,
            self.initialConnectionCredit,
            self.maxConcurrentStreams,
            UInt16(extensionLength)
        )
        buffer.writeImmutableBuffer(self.extensions.getSlice(at: self.extensions.readerIndex, length: extensionLength)!)
    }

    /// The checks a received preface must pass; `nil` when it is valid.
    public var validationFailure: String? {
        if self.minVersion == 0 {
            return "min version is 0"
        }
        if self.minVersion > self.maxVersion {
            return "min version \(self.minVersion) above max version \(self.maxVersion)"
        }
        if !Preface.frameSizeRange.contains(self.maxFrameSize) {
            return "max frame size \(self.maxFrameSize) outside \(Preface.frameSizeRange)"
        }
        if self.initialStreamCredit > Preface.maximumWindow {
            return "initial stream credit \(self.initialStreamCredit) above \(Preface.maximumWindow)"
        }
        if self.initialConnectionCredit > Preface.maximumWindow {
            return "initial connection credit \(self.initialConnectionCredit) above \(Preface.maximumWindow)"
        }
        if self.extensions.readableBytes > Preface.maximumExtensionLength {
            return "extensions longer than \(Preface.maximumExtensionLength) bytes"
        }
        return nil
    }

    /// Reads a preface from the front of `buffer`.
    ///
    /// Returns `nil`, consuming nothing, while the preface is incomplete. Fails
    /// as soon as the bytes that have arrived cannot start a preface: a wrong
    /// magic byte is reported before all 26 bytes are there.
    /// - Throws: ``FrameDecodingError/badPrefaceMagic`` or
    ///   ``FrameDecodingError/malformedPreface(_:)``.
    public static func read(from buffer: inout ByteBuffer) throws(FrameDecodingError) -> Preface? {
        let start = buffer.readerIndex
        let magicBytes = min(buffer.readableBytes, Preface.magic.count)
        for offset in 0..<magicBytes where buffer.getInteger(at: start + offset, as: UInt8.self) != Preface.magic[offset] {
            throw .badPrefaceMagic
        }
        guard buffer.readableBytes >= Preface.fixedSize,
            let fields = buffer.getMultipleIntegers(
                at: start + Preface.magic.count,
                as: (UInt16, UInt16, UInt32, UInt32, UInt32, UInt32, UInt16).self
            )
        else {
            return nil
        }
        let extensionLength = Int(fields.6)
        guard extensionLength <= Preface.maximumExtensionLength else {
            throw .malformedPreface("extension length \(extensionLength) above \(Preface.maximumExtensionLength)")
        }
        guard let extensions = buffer.getSlice(at: start + Preface.fixedSize, length: extensionLength) else {
            return nil
        }
        let preface = Preface(
            minVersion: fields.0,
            maxVersion: fields.1,
            maxFrameSize: fields.2,
            initialStreamCredit: fields.3,
            initialConnectionCredit: fields.4,
            maxConcurrentStreams: fields.5,
            extensions: extensions
        )
        if let failure = preface.validationFailure {
            throw .malformedPreface(failure)
        }
        buffer.moveReaderIndex(forwardBy: Preface.fixedSize + extensionLength)
        return preface
    }
}
