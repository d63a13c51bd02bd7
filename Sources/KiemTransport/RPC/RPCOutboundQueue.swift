import KiemWire
import NIOCore

/// What one stream has queued to send and how it ends, with the decisions
/// on it, as a value (no channel, no state machine): the last message and a
/// half-close fold into one MESSAGE with END_STREAM; trailers that discard
/// drop the messages not yet sent; the end goes out only after every message.
/// ``RPCConnectionHandler`` asks ``next()``, performs it, and reports back.
struct RPCOutboundQueue {
    /// One thing to send next.
    enum Step: Equatable {
        /// MESSAGE; `endStream` when it also half-closes the stream.
        case message(ByteBuffer, endStream: Bool)
        /// HALF_CLOSE on its own (nothing queued was left to carry END_STREAM).
        case halfClose
        /// TRAILERS, which end the stream.
        case trailers(Frame.Trailers)
        /// Nothing is queued.
        case idle
    }

    private(set) var messages = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private(set) var end: RPCOutboundEnd?

    /// Whether anything waits to be sent.
    var isEmpty: Bool { messages.isEmpty && end == nil }

    /// Adds what a writer queued: messages in order, and the end if it
    /// asked for one (a later end replaces an earlier one).
    mutating func enqueue(_ queued: some Collection<ByteBuffer>, end: RPCOutboundEnd? = nil) {
        messages.append(contentsOf: queued)
        if let end { self.end = end }
    }

    /// Drops the queued messages if the end is trailers that discard them.
    /// - Returns: the bytes dropped (returned to the writer as sent).
    mutating func discardIfEnding() -> Int {
        guard case .trailers(_, discardQueued: true)? = end else { return 0 }
        let bytes = messages.reduce(0) { $0 + $1.readableBytes }
        messages.removeAll()
        return bytes
    }

    /// The next thing to send; it stays queued until ``sent()``.
    var next: Step {
        if let message = messages.first {
            if case .halfClose? = end, messages.count == 1 { return .message(message, endStream: true) }
            return .message(message, endStream: false)
        }
        switch end {
        case .halfClose?: return .halfClose
        case let .trailers(trailers, _)?: return .trailers(trailers)
        case nil: return .idle
        }
    }

    /// Says ``next`` went out.
    /// - Returns: the message bytes it carried (0 for an end).
    @discardableResult
    mutating func sent() -> Int {
        switch next {
        case let .message(message, endStream):
            messages.removeFirst()
            if endStream { end = nil }
            return message.readableBytes
        case .halfClose, .trailers:
            end = nil
            return 0
        case .idle:
            return 0
        }
    }
}
