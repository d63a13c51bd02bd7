import KiemProtocol
import KiemWire
import NIOCore
import Synchronization

/// How a stream's outbound side ends once its queued messages are out.
enum RPCOutboundEnd: Sendable {
    /// Client: HALF_CLOSE (or END_STREAM on the last queued message).
    case halfClose
    /// Server: TRAILERS. With `discardQueued`, messages not yet sent are
    /// dropped and the trailers go out at once (a failed call).
    case trailers(Frame.Trailers, discardQueued: Bool)
}

/// The state of one stream shared between the connection's event loop and
/// the task(s) of the RPC: the messages received and not yet read, the
/// messages written and not yet sent, and how the stream ended.
///
/// This is plumbing of the I/O shell, not protocol logic: every protocol
/// decision (credit, states, deadlines) stays in the
/// ``ConnectionStateMachine`` that ``RPCConnectionHandler`` drives. The box
/// only moves bytes across the thread boundary in batches:
///
/// - **Inbound.** The event loop appends each delivered MESSAGE; a reader
///   pops them. Bytes count as consumed when they are handed to the reader.
///   The event loop collects the consumed count each time it delivers a
///   message (so a flowing stream returns credit without any extra hop); a
///   reader that has consumed ``creditReportThreshold`` bytes the event loop
///   has not collected asks it to, with one hop. The threshold is small enough that
///   credit held back this way can never block the peer (see
///   ``RPCConnectionHandler``).
/// - **Outbound.** Writers append encoded messages and schedule at most one
///   drain on the event loop, which takes the whole batch, sends what credit
///   allows and flushes once. A writer waits once ``outboundLimit`` bytes are
///   unsent and resumes when half of them went out, so a slow peer bounds the
///   sender's memory to that limit plus the stream's credit.
final class RPCStreamBox: Sendable {
    /// How the inbound side ended.
    enum InboundEnd: Sendable {
        case finished
        case failed(RPCError)
    }

    /// What a reader finds.
    private enum Poll {
        case message(ByteBuffer)
        case finished
        case failed(RPCError)
        case empty
    }

    /// Why a server handler should stop waiting.
    enum HandlerStop: Sendable, Equatable {
        case handlerReturned
        case streamAborted
    }

    private struct InboundState {
        var messages = CircularBuffer<ByteBuffer>(initialCapacity: 4)
        var bufferedBytes = 0
        var end: InboundEnd?
        var waiter: CheckedContinuation<ByteBuffer?, any Error>?
        /// Bytes handed to the reader (or dropped) that the event loop has not
        /// yet turned into credit.
        var unreportedBytes = 0
        var reportScheduled = false
        /// The stream is gone from the connection; its credit was settled.
        var detached = false
        var highWaterBufferedBytes = 0
        var receivedBytes = 0

        mutating func poll(threshold: Int) -> (Poll, report: Bool) {
            if let message = self.messages.popFirst() {
                let length = message.readableBytes
                self.bufferedBytes -= length
                var report = false
                if !self.detached {
                    self.unreportedBytes += length
                    if !self.reportScheduled, self.unreportedBytes >= threshold {
                        self.reportScheduled = true
                        report = true
                    }
                }
                return (.message(message), report)
            }
            switch self.end {
            case .finished?: return (.finished, false)
            case .failed(let error)?: return (.failed(error), false)
            case nil: return (.empty, false)
            }
        }

        /// Drops buffered messages, counting them as consumed.
        mutating func dropBuffered() {
            if !self.detached {
                self.unreportedBytes += self.bufferedBytes
            }
            self.bufferedBytes = 0
            self.messages.removeAll()
        }
    }

    private struct OutboundState {
        var streamID: StreamID?
        var pending = CircularBuffer<ByteBuffer>(initialCapacity: 4)
        var end: RPCOutboundEnd?
        var endQueued = false
        var unsentBytes = 0
        var drainScheduled = false
        var writer: CheckedContinuation<Void, any Error>?
        /// Set when writes can no longer succeed.
        var failure: RPCError?
        /// Set when the peer reset the stream, its deadline passed or the
        /// connection was lost.
        var abort: RPCError?
        var handlerReturned = false
        var handlerWaiter: CheckedContinuation<HandlerStop, Never>?
        var highWaterUnsentBytes = 0
        var writerSuspensions = 0
        var sentBytes = 0
    }

    let eventLoop: any EventLoop
    let connection: NIOLoopBound<RPCConnectionHandler>
    /// The peer's max frame size: the largest message that can be sent.
    let maximumMessageSize: Int
    /// Unsent bytes at which writers wait.
    let outboundLimit: Int
    /// Consumed bytes at which a reader asks the event loop to return credit.
    let creditReportThreshold: Int
    /// Counts this stream's writer while it waits, if the connection counts.
    let waitingWriters: RPCWaitingWriters?

    private let inbound: Mutex<InboundState>
    private let outbound: Mutex<OutboundState>

    init(
        streamID: StreamID?,
        eventLoop: any EventLoop,
        connection: NIOLoopBound<RPCConnectionHandler>,
        maximumMessageSize: Int,
        outboundLimit: Int,
        waitingWriters: RPCWaitingWriters? = nil,
        creditReportThreshold: Int
    ) {
        self.eventLoop = eventLoop
        self.connection = connection
        self.maximumMessageSize = maximumMessageSize
        self.outboundLimit = max(1, outboundLimit)
        self.creditReportThreshold = max(1, creditReportThreshold)
        self.waitingWriters = waitingWriters
        self.inbound = Mutex(InboundState())
        var outbound = OutboundState()
        outbound.streamID = streamID
        self.outbound = Mutex(outbound)
    }

    // MARK: - Reader side (any task)

    /// The next received message, `nil` at the end of the peer's messages.
    /// - Throws: ``RPCError``: the stream failed (reset, deadline, connection
    ///   lost, an error status), or `CANCELLED` if the task was cancelled.
    func next() async throws -> ByteBuffer? {
        let (poll, report) = self.inbound.withLock { $0.poll(threshold: self.creditReportThreshold) }
        if report { self.scheduleCreditReport() }
        switch poll {
        case .message(let message): return message
        case .finished: return nil
        case .failed(let error): throw error
        case .empty: break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                let (poll, report) = self.inbound.withLock { state -> (Poll?, Bool) in
                    let (poll, report) = state.poll(threshold: self.creditReportThreshold)
                    guard case .empty = poll else { return (poll, report) }
                    if Task.isCancelled {
                        return (.failed(RPCError.taskCancelled), false)
                    }
                    state.waiter = continuation
                    return (nil, false)
                }
                if report { self.scheduleCreditReport() }
                switch poll {
                case .message(let message)?: continuation.resume(returning: message)
                case .finished?: continuation.resume(returning: nil)
                case .failed(let error)?: continuation.resume(throwing: error)
                case .empty?, nil: break
                }
            }
        } onCancel: {
            let waiter = self.inbound.withLock { state in
                let waiter = state.waiter
                state.waiter = nil
                return waiter
            }
            waiter?.resume(throwing: RPCError.taskCancelled)
        }
    }

    /// How the inbound side ended, if it did.
    var inboundEnd: InboundEnd? {
        self.inbound.withLock { $0.end }
    }

    private func scheduleCreditReport() {
        let connection = self.connection
        self.eventLoop.execute { connection.value.returnConsumedCredit(of: self) }
    }

    // MARK: - Writer side (any task)

    /// Queues one encoded message; waits while ``outboundLimit`` bytes are unsent.
    func write(_ message: ByteBuffer) async throws {
        guard message.readableBytes <= self.maximumMessageSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "message of \(message.readableBytes) bytes exceeds the peer's max frame size of \(self.maximumMessageSize)"
            )
        }
        let (schedule, wait) = try self.outbound.withLock { state throws(RPCError) -> (Bool, Bool) in
            if let failure = state.failure { throw failure }
            guard !state.endQueued else {
                throw RPCError(code: .internalError, message: "write after the stream was finished")
            }
            state.pending.append(message)
            state.unsentBytes += message.readableBytes
            state.highWaterUnsentBytes = max(state.highWaterUnsentBytes, state.unsentBytes)
            let schedule = !state.drainScheduled
            state.drainScheduled = true
            return (schedule, state.unsentBytes >= self.outboundLimit)
        }
        if schedule { self.scheduleDrain() }
        if wait { try await self.waitUntilWritable() }
    }

    /// Queues the end of the outbound side, optionally after one last message.
    /// - Returns: `false` if the stream already failed (nothing is sent).
    @discardableResult
    func finishOutbound(_ end: RPCOutboundEnd, lastMessage: ByteBuffer? = nil) -> Bool {
        let schedule = self.outbound.withLock { state -> Bool? in
            guard state.failure == nil, !state.endQueued else { return nil }
            if let lastMessage {
                state.pending.append(lastMessage)
                state.unsentBytes += lastMessage.readableBytes
            }
            state.end = end
            state.endQueued = true
            let schedule = !state.drainScheduled
            state.drainScheduled = true
            return schedule
        }
        guard let schedule else { return false }
        if schedule { self.scheduleDrain() }
        return true
    }

    private func scheduleDrain() {
        let connection = self.connection
        self.eventLoop.execute { connection.value.drain(self) }
    }

    private func waitUntilWritable() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = self.outbound.withLock { state -> Result<Void, RPCError>? in
                    if let failure = state.failure { return .failure(failure) }
                    if Task.isCancelled { return .failure(RPCError.taskCancelled) }
                    if state.unsentBytes < self.outboundLimit { return .success(()) }
                    state.writer = continuation
                    state.writerSuspensions += 1
                    return nil
                }
                if let result {
                    continuation.resume(with: result)
                } else {
                    self.waitingWriters?.writerWaits()
                }
            }
        } onCancel: {
            let writer = self.outbound.withLock { state in
                let writer = state.writer
                state.writer = nil
                return writer
            }
            self.resume(writer, with: .failure(RPCError.taskCancelled))
        }
    }

    /// Resumes a writer taken out of the state (if one waited), and counts
    /// it as no longer waiting.
    private func resume(_ writer: CheckedContinuation<Void, any Error>?, with result: Result<Void, any Error>) {
        guard let writer else { return }
        self.waitingWriters?.writerResumed()
        writer.resume(with: result)
    }

    // MARK: - Caller-initiated ends (any task)

    /// Ends the stream from this side: fails local readers and writers with
    /// `error` and asks the event loop to send RST with `code` (if the stream
    /// is still active there).
    func reset(_ error: RPCError) {
        self.failLocally(error)
        let connection = self.connection
        self.eventLoop.execute { connection.value.resetStream(of: self, error: error) }
    }

    /// ``reset(_:)`` with `CANCELLED`, unless the stream already ended.
    func cancelIfUnfinished() {
        guard self.inboundEnd == nil else { return }
        self.reset(RPCError(code: .cancelled, message: "the caller cancelled the call"))
    }

    private func failLocally(_ error: RPCError) {
        let waiter = self.inbound.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            if state.end == nil {
                state.end = .failed(error)
                state.dropBuffered()
            }
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(throwing: error)
        let writer = self.outbound.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.failure == nil { state.failure = error }
            state.pending.removeAll()
            let writer = state.writer
            state.writer = nil
            return writer
        }
        self.resume(writer, with: .failure(error))
    }

    // MARK: - Server handler life cycle (any task)

    /// Waits until the handler returned (``markHandlerReturned()``) or the
    /// stream was aborted (reset by the peer, deadline, connection lost), or
    /// the task is cancelled (reported as ``HandlerStop/streamAborted``).
    func waitForHandlerStop() async -> HandlerStop {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<HandlerStop, Never>) in
                let stop = self.outbound.withLock { state -> HandlerStop? in
                    if state.handlerReturned { return .handlerReturned }
                    if state.abort != nil || Task.isCancelled { return .streamAborted }
                    state.handlerWaiter = continuation
                    return nil
                }
                if let stop { continuation.resume(returning: stop) }
            }
        } onCancel: {
            let waiter = self.outbound.withLock { state in
                let waiter = state.handlerWaiter
                state.handlerWaiter = nil
                return waiter
            }
            waiter?.resume(returning: .streamAborted)
        }
    }

    /// The handler task is done.
    func markHandlerReturned() {
        let waiter = self.outbound.withLock { state in
            state.handlerReturned = true
            let waiter = state.handlerWaiter
            state.handlerWaiter = nil
            return waiter
        }
        waiter?.resume(returning: .handlerReturned)
    }

    /// Why the stream was aborted, if it was.
    var abortError: RPCError? {
        self.outbound.withLock { $0.abort }
    }

    // MARK: - Event loop side

    /// The stream id, once the connection assigned it.
    var streamID: StreamID? {
        self.outbound.withLock { $0.streamID }
    }

    /// Event loop: the stream was opened with `id`.
    func assign(_ id: StreamID) {
        self.outbound.withLock { $0.streamID = id }
    }

    /// Event loop: a MESSAGE arrived.
    /// - Returns: bytes to return as credit now (consumed earlier, or handed
    ///   straight to a waiting reader, or dropped because the reader is gone).
    func deliver(_ message: ByteBuffer) -> Int {
        let length = message.readableBytes
        let (waiter, credit) = self.inbound.withLock { state -> (CheckedContinuation<ByteBuffer?, any Error>?, Int) in
            state.receivedBytes += length
            let credit = state.unreportedBytes
            state.unreportedBytes = 0
            if state.end != nil {
                return (nil, credit + length)
            }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, credit + length)
            }
            state.messages.append(message)
            state.bufferedBytes += length
            state.highWaterBufferedBytes = max(state.highWaterBufferedBytes, state.bufferedBytes)
            return (nil, credit)
        }
        waiter?.resume(returning: message)
        return credit
    }

    /// Event loop: collects consumed bytes for a credit report the reader asked for.
    func collectConsumedCredit() -> Int {
        self.inbound.withLock { state in
            state.reportScheduled = false
            let credit = state.unreportedBytes
            state.unreportedBytes = 0
            return credit
        }
    }

    /// Event loop: the peer sent its last message (half-close, or TRAILERS OK
    /// on a client). Buffered messages stay readable.
    func finishInbound() {
        let waiter = self.inbound.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            if state.end == nil { state.end = .finished }
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Event loop: the stream is finished and gone from the connection.
    ///
    /// - `inboundError == nil`: finished normally (client: TRAILERS OK;
    ///   server: TRAILERS sent). Buffered messages stay readable.
    /// - otherwise the inbound side fails with it (client: TRAILERS with an
    ///   error status; buffered messages stay readable first).
    ///
    /// Writers fail from now on.
    /// - Returns: bytes to return as connection credit (everything received
    ///   and not yet credited: the stream can no longer hold credit back).
    func complete(inboundError: RPCError?) -> Int {
        let (waiter, credit) = self.inbound.withLock { state -> (CheckedContinuation<ByteBuffer?, any Error>?, Int) in
            if state.end == nil {
                state.end = inboundError.map { .failed($0) } ?? .finished
            }
            let credit = state.unreportedBytes + state.bufferedBytes
            state.unreportedBytes = 0
            state.detached = true
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, credit)
        }
        if let waiter {
            if let inboundError {
                waiter.resume(throwing: inboundError)
            } else {
                waiter.resume(returning: nil)
            }
        }
        self.failOutbound(
            inboundError ?? RPCError(code: .failedPrecondition, message: "the call already finished"),
            abort: false
        )
        return credit
    }

    /// Event loop: the stream ended abnormally (RST from the peer, deadline,
    /// connection lost, refused). Readers and writers fail with `error`
    /// (buffered messages are dropped) and a server handler is cancelled.
    /// - Returns: bytes to return as connection credit.
    func abort(_ error: RPCError) -> Int {
        let (waiter, credit) = self.inbound.withLock { state -> (CheckedContinuation<ByteBuffer?, any Error>?, Int) in
            if state.end == nil {
                state.end = .failed(error)
                state.dropBuffered()
            }
            let credit = state.unreportedBytes + state.bufferedBytes
            state.unreportedBytes = 0
            state.detached = true
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, credit)
        }
        waiter?.resume(throwing: error)
        self.failOutbound(error, abort: true)
        return credit
    }

    private func failOutbound(_ error: RPCError, abort: Bool) {
        let (writer, handler) = self.outbound.withLock { state -> (CheckedContinuation<Void, any Error>?, CheckedContinuation<HandlerStop, Never>?) in
            if state.failure == nil { state.failure = error }
            state.pending.removeAll()
            let writer = state.writer
            state.writer = nil
            var handler: CheckedContinuation<HandlerStop, Never>?
            if abort, state.abort == nil {
                state.abort = error
                handler = state.handlerWaiter
                state.handlerWaiter = nil
            }
            return (writer, handler)
        }
        self.resume(writer, with: .failure(error))
        handler?.resume(returning: .streamAborted)
    }

    /// Event loop: takes everything writers queued since the last drain.
    func takeOutbound() -> (id: StreamID?, messages: CircularBuffer<ByteBuffer>, end: RPCOutboundEnd?) {
        self.outbound.withLock { state in
            state.drainScheduled = false
            guard let id = state.streamID, !state.pending.isEmpty || state.end != nil else {
                return (state.streamID, CircularBuffer(), nil)
            }
            let messages = state.pending
            state.pending = CircularBuffer(initialCapacity: 4)
            let end = state.end
            state.end = nil
            return (id, messages, end)
        }
    }

    /// Event loop: `bytes` of queued messages went out (or were dropped).
    func outboundSent(_ bytes: Int) {
        let writer = self.outbound.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.unsentBytes -= bytes
            state.sentBytes += bytes
            guard state.unsentBytes <= self.outboundLimit / 2, let writer = state.writer else { return nil }
            state.writer = nil
            return writer
        }
        self.resume(writer, with: .success(()))
    }

    // MARK: - Statistics

    /// Figures about the stream's buffers, for tests and benchmarks.
    struct Statistics: Sendable, Hashable {
        /// The most bytes ever received and not yet read.
        var highWaterBufferedBytes: Int
        /// The most bytes ever written and not yet sent.
        var highWaterUnsentBytes: Int
        /// How often a writer waited for the peer.
        var writerSuspensions: Int
        /// MESSAGE payload bytes received.
        var receivedBytes: Int
        /// MESSAGE payload bytes sent.
        var sentBytes: Int
    }

    var statistics: Statistics {
        let inbound = self.inbound.withLock { ($0.highWaterBufferedBytes, $0.receivedBytes) }
        let outbound = self.outbound.withLock { ($0.highWaterUnsentBytes, $0.writerSuspensions, $0.sentBytes) }
        return Statistics(
            highWaterBufferedBytes: inbound.0,
            highWaterUnsentBytes: outbound.0,
            writerSuspensions: outbound.1,
            receivedBytes: inbound.1,
            sentBytes: outbound.2
        )
    }
}

extension RPCError {
    /// The error a read or write reports when its task was cancelled.
    static var taskCancelled: RPCError {
        RPCError(code: .cancelled, message: "the task was cancelled", cause: CancellationError())
    }
}
