@testable import KiemTransport
import KiemWire
import NIOCore
import Testing

/// The outbound queue's decisions as a value: what goes out next, when a
/// half-close folds into the last message, what trailers discard.
@Suite("RPC outbound queue")
struct RPCOutboundQueueTests {
    static func message(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let ok = Frame.Trailers(code: .ok)
    static let failed = Frame.Trailers(code: .internalError, message: "stop")

    /// Takes every step the queue offers, as a handler with unlimited credit.
    static func drain(_ queue: inout RPCOutboundQueue) -> [String] {
        var steps: [String] = []
        while true {
            switch queue.next {
            case let .message(bytes, endStream): steps.append(String(buffer: bytes) + (endStream ? "+END" : ""))
            case .halfClose: steps.append("HALF_CLOSE")
            case let .trailers(trailers): steps.append("TRAILERS \(trailers.code)")
            case .idle: return steps
            }
            queue.sent()
        }
    }

    @Test("each queue and end gives its frames in order", arguments: [
        (["a", "b"], nil, ["a", "b"]),
        (["a", "b"], RPCOutboundEnd.halfClose, ["a", "b+END"]),
        ([], RPCOutboundEnd.halfClose, ["HALF_CLOSE"]),
        (["a"], RPCOutboundEnd.trailers(ok, discardQueued: false), ["a", "TRAILERS OK"]),
        (["a", "b"], RPCOutboundEnd.trailers(failed, discardQueued: true), ["TRAILERS INTERNAL"]),
        ([], nil, []),
    ] as [([String], RPCOutboundEnd?, [String])])
    func steps(messages: [String], end: RPCOutboundEnd?, expected: [String]) {
        var queue = RPCOutboundQueue()
        queue.enqueue(messages.map(Self.message), end: end)
        let discarded = queue.discardIfEnding()
        if case .trailers(_, discardQueued: true)? = end {
            #expect(discarded == messages.reduce(0) { $0 + $1.utf8.count }, "dropped bytes count as sent")
        } else {
            #expect(discarded == 0)
        }
        #expect(Self.drain(&queue) == expected)
        #expect(queue.isEmpty)
    }

    @Test("a step stays queued until it is reported sent: blocked credit loses nothing; sent() returns the bytes")
    func blockedKeepsTheStep() {
        var queue = RPCOutboundQueue()
        queue.enqueue([Self.message("abc"), Self.message("de")], end: .halfClose)
        #expect(queue.next == .message(Self.message("abc"), endStream: false))
        #expect(queue.next == .message(Self.message("abc"), endStream: false), "asking again changes nothing")
        #expect(queue.sent() == 3)
        #expect(queue.next == .message(Self.message("de"), endStream: true))
        // More written before the last one went out: END_STREAM moves on.
        queue.enqueue([Self.message("f")])
        #expect(queue.next == .message(Self.message("de"), endStream: false))
        #expect(queue.sent() == 2)
        #expect(queue.next == .message(Self.message("f"), endStream: true))
        #expect(queue.sent() == 1)
        #expect(queue.next == .idle && queue.isEmpty)
    }

    @Test("a later end replaces an earlier one; an end without messages waits for nothing")
    func laterEndWins() {
        var queue = RPCOutboundQueue()
        queue.enqueue([Self.message("a")], end: .trailers(Self.ok, discardQueued: false))
        queue.enqueue([], end: .trailers(Self.failed, discardQueued: true))
        #expect(queue.discardIfEnding() == 1)
        #expect(Self.drain(&queue) == ["TRAILERS INTERNAL"])
    }
}
