import KiemProtocol
import KiemWire
import NIOCore

/// The messages one side of a call receives: requests in a server handler,
/// responses in a client call. An `AsyncSequence` that can be iterated once.
///
/// Iteration ends when the peer has sent its last message and the call
/// succeeded. It throws ``RPCError`` when the call fails: the status the
/// server sent, `DEADLINE_EXCEEDED`, `CANCELLED`, `UNAVAILABLE` when the
/// connection is lost, or `INTERNAL` for a payload that does not decode.
/// Reading returns flow-control credit to the peer: a consumer that stops
/// reading stops the sender after the stream's credit.
public struct RPCMessageStream<Message: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Message

    let box: RPCStreamBox
    let decode: @Sendable (ByteBuffer) throws -> Message
    let side: ConnectionRole

    init(box: RPCStreamBox, codec: RPCCodec<Message>, side: ConnectionRole) {
        self.box = box
        self.decode = codec.decode
        self.side = side
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(stream: self)
    }

    /// Iterates ``RPCMessageStream``. Sendable, so that one task can read
    /// the next message while another works on the previous one.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let stream: RPCMessageStream<Message>

        /// The next message, or `nil` after the last one.
        /// - Throws: ``RPCError``.
        public mutating func next() async throws -> Message? {
            guard let payload = try await self.stream.box.next() else {
                return nil
            }
            return try self.stream.decodePayload(payload)
        }
    }

    func decodePayload(_ payload: ByteBuffer) throws(RPCError) -> Message {
        do {
            return try self.decode(payload)
        } catch {
            let failure = (error as? RPCError) ?? RPCError(
                code: .internalError,
                message: "malformed \(Message.self) message: \(error)",
                cause: error
            )
            if self.side == .client {
                // WIRE.md section 12: the client fails the call and resets the stream.
                self.box.reset(failure)
            }
            throw failure
        }
    }

    /// Reads exactly one message and the end of the stream, as a unary
    /// request or response must be.
    /// - Throws: `INTERNAL` for none or more than one message.
    func single(what: String) async throws -> Message {
        guard let first = try await self.box.next() else {
            throw self.wrongCount("no \(what) message")
        }
        if try await self.box.next() != nil {
            throw self.wrongCount("more than one \(what) message")
        }
        return try self.decodePayload(first)
    }

    private func wrongCount(_ message: String) -> RPCError {
        let error = RPCError(code: .internalError, message: message)
        if self.side == .client {
            self.box.reset(error)
        }
        return error
    }
}
