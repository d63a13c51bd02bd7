public import NIOCore
public import SwiftProtobuf

/// Turns messages of one type into MESSAGE payloads and back.
///
/// Two codecs cover Kiem's needs: ``protobuf`` for the generated
/// `kiem.v1` types, and ``raw`` for callers that handle bytes themselves
/// (benchmarks, proxies, tests). Encoding errors and malformed payloads are
/// reported as ``RPCError``s with `INTERNAL`, which is what WIRE.md asks the
/// receiver of an undecodable message to answer.
public struct RPCCodec<Message: Sendable>: Sendable {
    /// Encodes one message into a payload.
    public var encode: @Sendable (Message) throws -> ByteBuffer
    /// Decodes one payload; throws for bytes that are not a valid message.
    public var decode: @Sendable (ByteBuffer) throws -> Message

    /// Creates a codec from two functions.
    public init(
        encode: @escaping @Sendable (Message) throws -> ByteBuffer,
        decode: @escaping @Sendable (ByteBuffer) throws -> Message
    ) {
        self.encode = encode
        self.decode = decode
    }
}

extension RPCCodec where Message == ByteBuffer {
    /// Payloads as they are: no copy either way.
    public static var raw: RPCCodec<ByteBuffer> {
        RPCCodec(encode: { $0 }, decode: { $0 })
    }
}

extension RPCCodec where Message: SwiftProtobuf.Message {
    /// Protocol buffers through ``MessageCodec``.
    public static var protobuf: RPCCodec<Message> {
        RPCCodec(
            encode: { message in try MessageCodec.encode(message) },
            decode: { buffer in try MessageCodec.decode(Message.self, from: buffer) }
        )
    }
}
