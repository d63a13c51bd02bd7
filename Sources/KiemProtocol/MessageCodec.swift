public import KiemWire
public import NIOCore
public import SwiftProtobuf

/// Converts protobuf messages to and from MESSAGE frame payloads.
///
/// Decoding reads straight from the frame's buffer (no intermediate copy).
/// A payload that is not a valid encoding of the expected message is a
/// stream-level failure, not a connection error: the receiver ends that one
/// call with `INTERNAL` (WIRE.md, "Malformed input").
public enum MessageCodec {
    /// Serializes `message` into a new buffer.
    /// - Throws: `INTERNAL` if the message cannot be serialized.
    public static func encode(
        _ message: some SwiftProtobuf.Message,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(RPCError) -> ByteBuffer {
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            throw RPCError(code: .internalError, message: "cannot serialize \(type(of: message).protoMessageName): \(error)")
        }
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }

    /// Parses a message of type `type` from the readable bytes of `buffer`.
    /// - Throws: `INTERNAL` ("malformed … message") if the bytes are not a
    ///   valid encoding of the message.
    public static func decode<Message: SwiftProtobuf.Message>(
        _ type: Message.Type,
        from buffer: ByteBuffer
    ) throws(RPCError) -> Message {
        do {
            return try Message(serializedBytes: buffer.readableBytesSpan)
        } catch {
            throw RPCError(code: .internalError, message: "malformed \(Message.protoMessageName) message: \(error)")
        }
    }
}
