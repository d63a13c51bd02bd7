import KiemProtocol
import KiemWire
import NIOCore

/// Sends messages on one side of a call: responses in a server handler,
/// requests in a client call.
///
/// ``write(_:)`` returns once the message is queued; it waits while the
/// stream has ``RPCConnectionConfiguration/outboundBufferLimit`` bytes that
/// the peer's flow-control credit has not let out yet, so a slow reader
/// slows the writer instead of filling memory.
public struct RPCMessageWriter<Message: Sendable>: Sendable {
    let box: RPCStreamBox
    let encode: @Sendable (Message) throws -> ByteBuffer

    init(box: RPCStreamBox, codec: RPCCodec<Message>) {
        self.box = box
        self.encode = codec.encode
    }

    /// The largest encoded message the peer accepts: its max frame size
    /// (WIRE.md section 4). A larger message fails ``write(_:)``.
    public var maximumMessageSize: Int { self.box.maximumMessageSize }

    /// Queues one message.
    /// - Throws: ``RPCError``: `RESOURCE_EXHAUSTED` for a message above the
    ///   peer's max frame size (nothing is sent), `INTERNAL` if it cannot be
    ///   encoded, or the error that ended the call (`CANCELLED`,
    ///   `DEADLINE_EXCEEDED`, `UNAVAILABLE`, …).
    public func write(_ message: Message) async throws {
        try await self.box.write(try self.encodePayload(message))
    }

    /// Queues several messages in order.
    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages {
            try await self.write(message)
        }
    }

    func encodePayload(_ message: Message) throws(RPCError) -> ByteBuffer {
        do {
            return try self.encode(message)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(code: .internalError, message: "cannot encode \(Message.self): \(error)", cause: error)
        }
    }
}
