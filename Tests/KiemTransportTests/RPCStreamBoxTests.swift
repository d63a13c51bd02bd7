import KiemTestSupport
@testable import KiemTransport
import KiemWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// The box one stream's bytes cross between the event loop and the RPC's
/// tasks, driven directly: the event loop's side is called as the handler
/// calls it, and nothing the box schedules on the loop is run.
@Suite("RPC stream box")
struct RPCStreamBoxTests {
    /// A box on an embedded channel's loop; the handler is only its owner.
    /// Finish the channel at the end (the handler fails its promises then).
    static func box(maximumMessageSize: Int = 1_000, outboundLimit: Int = 100, creditReportThreshold: Int = 1_000)
        throws -> (RPCStreamBox, EmbeddedChannel)
    {
        let channel = EmbeddedChannel()
        let handler = RPCConnectionHandler(
            role: .client, configuration: RPCConnectionConfiguration(), router: RPCRouter(),
            eventLoop: channel.eventLoop, logger: Logger(label: "kiem.test") { _ in SwiftLogNoOpLogHandler() })
        try channel.pipeline.syncOperations.addHandler(handler)
        let box = RPCStreamBox(
            streamID: nil, eventLoop: channel.eventLoop, connection: NIOLoopBound(handler, eventLoop: channel.eventLoop),
            maximumMessageSize: maximumMessageSize, outboundLimit: outboundLimit,
            creditReportThreshold: creditReportThreshold)
        return (box, channel)
    }

    static func bytes(_ count: Int, _ value: UInt8 = 1) -> ByteBuffer { ByteBuffer(repeating: value, count: count) }

    /// Waits, yielding, until `condition` holds (the other task got there).
    static func eventually(_ what: String, _ condition: @escaping @Sendable () -> Bool) async throws {
        try await withDeadline(seconds: 30, what) {
            while !condition() {
                try Task.checkCancellation()
                await Task.yield()
            }
        }
    }

    @Test("messages delivered before a read are kept and read in order; their bytes are credited with the next delivery")
    func bufferedReads() async throws {
        let (box, channel) = try Self.box()
        defer { _ = try? channel.finish() }
        #expect(box.deliver(Self.bytes(10, 1)) == 0)
        #expect(box.deliver(Self.bytes(20, 2)) == 0)
        #expect(try await box.next() == Self.bytes(10, 1))
        #expect(try await box.next() == Self.bytes(20, 2))
        #expect(box.deliver(Self.bytes(5, 3)) == 30, "what the reader consumed goes back as credit")
        #expect(box.collectConsumedCredit() == 0)
        #expect(box.statistics.highWaterBufferedBytes == 30)
        #expect(box.statistics.receivedBytes == 35)
    }

    @Test("after the peer's last message, buffered messages stay readable, then the end")
    func finishedInbound() async throws {
        let (box, channel) = try Self.box()
        defer { _ = try? channel.finish() }
        _ = box.deliver(Self.bytes(4))
        box.finishInbound()
        #expect(try await box.next() == Self.bytes(4))
        #expect(try await box.next() == nil)
        #expect(box.deliver(Self.bytes(6)) == 4 + 6, "a message after the end is credited at once, with the bytes read")
    }

    @Test("an abort drops what is buffered, returns it as credit, fails readers and writers, and stops a waiting handler")
    func abort() async throws {
        let (box, channel) = try Self.box()
        defer { _ = try? channel.finish() }
        _ = box.deliver(Self.bytes(40))
        let handler = Task { await box.waitForHandlerStop() }
        let reset = RPCError(code: .cancelled, message: "the peer reset the stream")
        #expect(box.abort(reset) == 40)
        await #expect(throws: reset) { try await box.next() }
        await #expect(throws: reset) { try await box.write(Self.bytes(1)) }
        #expect(await handler.value == .streamAborted)
        #expect(box.abortError == reset)
    }

    @Test("a write above the peer's max frame size is RESOURCE_EXHAUSTED; a write after the end is INTERNAL")
    func refusedWrites() async throws {
        let (box, channel) = try Self.box(maximumMessageSize: 16)
        defer { _ = try? channel.finish() }
        do {
            try await box.write(Self.bytes(17))
            Issue.record("a message above the max frame size was queued")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
        }
        try await box.write(Self.bytes(16))
        #expect(box.finishOutbound(.halfClose))
        do {
            try await box.write(Self.bytes(1))
            Issue.record("a write after the end was queued")
        } catch let error as RPCError {
            #expect(error.code == .internalError)
        }
    }

    @Test("a writer waits once the outbound limit is unsent, and goes on when half of it went out")
    func writerWaitsForHalf() async throws {
        let (box, channel) = try Self.box(outboundLimit: 100)
        defer { _ = try? channel.finish() }
        box.assign(StreamID(1))
        try await box.write(Self.bytes(60))
        let writer = Task { try await box.write(Self.bytes(60)) }
        try await Self.eventually("the writer to wait") { box.statistics.writerSuspensions == 1 }
        let taken = box.takeOutbound()
        #expect(taken.id == StreamID(1) && taken.messages.count == 2)
        box.outboundSent(60)  // 60 unsent: above half the limit
        #expect(box.statistics.writerSuspensions == 1)
        box.outboundSent(20)  // 40 unsent
        try await writer.value
        #expect(box.statistics.highWaterUnsentBytes == 120)
        #expect(box.statistics.sentBytes == 80)
    }

    @Test("a finished call keeps its buffered messages readable; writes then fail FAILED_PRECONDITION")
    func completed() async throws {
        let (box, channel) = try Self.box()
        defer { _ = try? channel.finish() }
        _ = box.deliver(Self.bytes(8))
        #expect(box.complete(inboundError: nil) == 8, "a finished stream holds no credit back")
        #expect(try await box.next() == Self.bytes(8))
        #expect(try await box.next() == nil)
        do {
            try await box.write(Self.bytes(1))
            Issue.record("a write after the call finished was queued")
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition)
        }
    }

    @Test("cancelling a waiting reader fails it with CANCELLED")
    func cancelledReader() async throws {
        let (box, channel) = try Self.box()
        defer { _ = try? channel.finish() }
        let reader = Task { try await box.next() }
        reader.cancel()
        do {
            _ = try await reader.value
            Issue.record("the cancelled read returned")
        } catch let error as RPCError {
            #expect(error.code == .cancelled)
        }
    }
}
