public import NIOCore

/// Writes frames to bytes.
///
/// A pure value: usable as a NIO `MessageToByteEncoder` in a pipeline, or
/// directly through ``encode(_:into:)`` by a handler that batches several
/// frames into one buffer. The preface is written with ``Preface/write(to:)``.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = Frame

    /// Creates an encoder.
    public init() {}

    /// Appends `frame` to `buffer`.
    @inlinable
    public static func encode(_ frame: Frame, into buffer: inout ByteBuffer) {
        frame.write(to: &buffer)
    }

    public func encode(data: Frame, out: inout ByteBuffer) {
        data.write(to: &out)
    }
}
