import KiemProtocol
import KiemWire
import Logging
import NIOCore

/// The NIO shell around one ``ConnectionStateMachine``: it turns bytes into
/// frames (``FrameDecoder``), feeds them to the machine, performs the
/// ``ConnectionAction``s it returns, encodes the frames the machine hands
/// out, and schedules the machine's one timer. It makes no protocol decision
/// of its own.
///
/// Towards the RPC layer each stream is an ``RPCStreamBox``: received
/// messages go into it, messages written by the call's task come out of it
/// in batches (one hop per batch, see ``drain(_:)``). On a server, every
/// stream opened for a known method is passed down the pipeline as an
/// ``RPCAcceptedStream`` (to a `NIOAsyncChannel`); an unknown method gets
/// `TRAILERS UNIMPLEMENTED` right here.
///
/// **Writes** are encoded into one buffer and flushed once per read burst
/// (at `channelReadComplete`), once per hop from a task, and once per timer
/// tick.
///
/// **Credit.** A reader returns credit by consuming messages; the consumed
/// count is collected whenever the event loop touches the stream and, if
/// the event loop is idle, by a hop the reader schedules after
/// ``RPCStreamBox/creditReportThreshold`` bytes. That threshold is at most
/// half the stream window and at most `window / (2 × streams)` of the
/// connection window, so the credit readers hold back can never stall the
/// peer: a peer blocked on a window has had at least half of it consumed and
/// reported, which is when the state machine grants more.
final class RPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = RPCAcceptedStream
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The event-loop side of one stream: the box, and what was taken from
    /// it that credit has not let out yet.
    final class StreamEntry {
        let box: RPCStreamBox
        var queue = RPCOutboundQueue()

        init(box: RPCStreamBox) {
            self.box = box
        }
    }

    private let role: ConnectionRole
    private let configuration: RPCConnectionConfiguration
    private let router: RPCRouter?
    private var machine: ConnectionStateMachine
    private let decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    private var streams: [StreamID: StreamEntry] = [:]
    private var context: ChannelHandlerContext?
    private var loopBoundSelf: NIOLoopBound<RPCConnectionHandler>?
    private var started = false
    private var closeInitiated = false

    private var outbound: ByteBuffer
    private var hasPendingWrites = false
    private var inReadBurst = false
    private var timer: (deadline: NIODeadline, task: Scheduled<Void>)?
    private var timerNeedsUpdate = false
    private var shutdownRequested = false

    private(set) var peer: PeerIdentity?
    private(set) var lastRoundTripTime: TimeAmount?
    private var logger: Logger
    private let ready: EventLoopPromise<Void>

    /// Completes when the peer's preface was accepted (the connection is
    /// usable), fails if the connection closes first.
    var readyFuture: EventLoopFuture<Void> { self.ready.futureResult }

    /// What both prefaces agreed, once exchanged.
    var negotiatedSettings: NegotiatedSettings? { self.machine.settings }

    /// - Parameters:
    ///   - role: client (dialled) or server (accepted).
    ///   - router: a server's methods; `nil` on a client.
    ///   - peer: the peer, if already known (otherwise taken from
    ///     ``TLSPeerAuthenticatedEvent``).
    init(
        role: ConnectionRole,
        configuration: RPCConnectionConfiguration,
        router: RPCRouter?,
        eventLoop: any EventLoop,
        logger: Logger
    ) {
        self.role = role
        self.configuration = configuration
        self.router = router
        self.machine = ConnectionStateMachine(role: role, configuration: configuration.connection, now: .now())
        self.decoder = NIOSingleStepByteToMessageProcessor(
            FrameDecoder(maximumFrameLength: Int(configuration.connection.preface.maxFrameSize))
        )
        self.outbound = ByteBuffer()
        self.logger = logger
        self.ready = eventLoop.makePromise(of: Void.self)
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.loopBoundSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.outbound = context.channel.allocator.buffer(capacity: 1024)
        if context.channel.isActive {
            self.start(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A connection that never became active (refused, timed out) ends
        // here without channelInactive; completing again is a no-op.
        self.ready.fail(RPCError(code: .unavailable, message: "connection closed before the preface exchange"))
        self.timer?.task.cancel()
        self.timer = nil
        self.context = nil
        self.loopBoundSelf = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        // WIRE.md section 3: each side sends its preface at once. Over TLS the
        // SSL handler holds it until the handshake is done.
        self.machine.localPreface.write(to: &self.outbound)
        self.hasPendingWrites = true
        self.flushNow()
        self.timerNeedsUpdate = true
        self.updateTimerIfNeeded()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Copy what arrived into a buffer of our own: MESSAGE payloads are
        // slices that live on in stream boxes, and if they shared the TLS
        // handler's reusable read buffer, its next read would copy all of
        // that buffer's capacity (copy on write) instead of these bytes.
        let received = Self.unwrapInboundIn(data)
        var bytes = context.channel.allocator.buffer(capacity: received.readableBytes)
        bytes.writeImmutableBuffer(received)
        self.inReadBurst = true
        let now = NIODeadline.now()
        do {
            try self.decoder.process(buffer: bytes) { item in
                switch item {
                case .preface(let preface):
                    self.perform(self.machine.receivePreface(preface, now: now))
                case .frame(let frame):
                    self.perform(self.machine.receiveFrame(frame, now: now))
                }
            }
        } catch let error as FrameDecodingError {
            self.perform(self.machine.decodingFailed(error))
        } catch {
            self.perform(self.machine.decodingFailed(.malformedPayload(type: .message, reason: "\(error)")))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.inReadBurst = false
        self.flushNow()
        self.updateTimerIfNeeded()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.sendAllQueued()
            self.flushNow()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let authenticated = event as? TLSPeerAuthenticatedEvent {
            self.peer = authenticated.identity
            self.logger[metadataKey: RPCLogKey.peer] = "\(authenticated.identity)"
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        do {
            try self.decoder.finishProcessing(seenEOF: true) { _ in }
        } catch FrameDecodingError.truncated(let leftover) {
            self.logger.debug("connection ended inside a frame", metadata: ["kiem.leftover_bytes": "\(leftover)"])
        } catch {}
        _ = self.machine.connectionClosed()
        self.failAllStreams(RPCError(code: .unavailable, message: "connection closed"))
        self.timer?.task.cancel()
        self.timer = nil
        self.ready.fail(RPCError(code: .unavailable, message: "connection closed before the preface exchange"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("connection error", metadata: ["kiem.error": "\(error)"])
        self.ready.fail(RPCError(code: .unavailable, message: "connection failed: \(error)", cause: error))
        self.closeNow()
    }

    // MARK: - Actions

    private func perform(_ action: ConnectionAction) {
        switch action {
        case .none:
            break

        case .send(let frame):
            self.write(frame)

        case .prefaceAccepted:
            self.ready.succeed()
            self.timerNeedsUpdate = true
            if self.shutdownRequested {
                self.beginGracefulShutdown()
            }

        case .streamOpened(let id, let open, let endStream, let deadline):
            self.streamOpened(id, open, endStream: endStream, deadline: deadline)

        case .deliverMessage(let id, let bytes, let endStream):
            guard let entry = self.streams[id] else {
                self.returnCredit(bytes.readableBytes, on: id)
                return
            }
            self.returnCredit(entry.box.deliver(bytes), on: id)
            if endStream {
                entry.box.finishInbound()
            }

        case .deliverHalfClose(let id):
            self.streams[id]?.box.finishInbound()

        case .deliverTrailers(let id, let trailers):
            if let entry = self.streams.removeValue(forKey: id) {
                self.returnCredit(entry.box.complete(inboundError: trailers.error), on: id)
            }
            self.closeIfReady()

        case .streamFailed(let id, let error, let send):
            if let send {
                self.write(send)
            }
            if let entry = self.streams.removeValue(forKey: id) {
                self.logger.debug(
                    "stream failed",
                    metadata: [RPCLogKey.stream: "\(id)", "kiem.status": "\(error.code)", "kiem.error": "\(error.message)"]
                )
                self.returnCredit(entry.box.abort(error), on: id)
            }
            self.closeIfReady()

        case .resumeWrites(let id):
            if let id {
                if let entry = self.streams[id] {
                    self.sendQueued(id, entry)
                }
            } else {
                self.sendAllQueued()
            }

        case .pongReceived(let rtt):
            self.lastRoundTripTime = rtt

        case .goAwayReceived(let goAway, let failedStreams):
            self.logger.debug("peer sent GOAWAY", metadata: ["kiem.goaway": "\(goAway.code): \(goAway.reason)"])
            let error = RPCError(code: .unavailable, message: "the peer is shutting down; the call was not processed and may be retried")
            for id in failedStreams {
                if let entry = self.streams.removeValue(forKey: id) {
                    _ = entry.box.abort(error)
                }
            }
            self.ready.fail(RPCError(code: .unavailable, message: "the peer is shutting down"))
            self.closeIfReady()

        case .closeConnection(let close):
            if let goAway = close.goAway {
                self.write(goAway)
            }
            if let error = close.error {
                self.logger.info("closing connection", metadata: ["kiem.error": "\(error)"])
            }
            self.ready.fail(close.streamError)
            self.failAllStreams(close.streamError)
            self.closeNow()
        }
    }

    private func streamOpened(_ id: StreamID, _ open: Frame.Open, endStream: Bool, deadline: NIODeadline?) {
        guard let context = self.context, let loopBoundSelf = self.loopBoundSelf, let settings = self.machine.settings else { return }
        guard let route = self.router?.route(for: open.path) else {
            self.logger.debug("unknown method", metadata: [RPCLogKey.stream: "\(id)", RPCLogKey.method: "\(open.path)"])
            let trailers = Frame.Trailers(code: .unimplemented, message: "unknown method \(open.path)")
            if let frame = try? self.machine.sendTrailers(trailers, on: id) {
                self.write(frame)
            }
            return
        }
        let box = RPCStreamBox(
            streamID: id,
            eventLoop: context.eventLoop,
            connection: loopBoundSelf,
            maximumMessageSize: settings.maxOutboundFrameSize,
            outboundLimit: self.configuration.outboundBufferLimit,
            waitingWriters: self.configuration.waitingWriters,
            creditReportThreshold: self.creditReportThreshold(streams: settings.local.maxConcurrentStreams)
        )
        self.streams[id] = StreamEntry(box: box)
        if endStream {
            box.finishInbound()
        }
        if deadline != nil {
            self.timerNeedsUpdate = true
        }
        let accepted = RPCAcceptedStream(
            id: id,
            open: open,
            deadline: deadline,
            peer: self.peer,
            route: route,
            box: box
        )
        context.fireChannelRead(Self.wrapInboundOut(accepted))
    }

    /// See the type's documentation: the most consumed bytes a reader may
    /// hold back without ever stalling the peer.
    private func creditReportThreshold(streams: UInt32) -> Int {
        let preface = self.configuration.connection.preface
        let stream = Int(preface.initialStreamCredit) / 2
        let connection = Int(preface.initialConnectionCredit) / (2 * max(1, Int(streams)))
        return max(1, min(stream, connection))
    }

    private func returnCredit(_ bytes: Int, on id: StreamID) {
        guard bytes > 0 else { return }
        for frame in self.machine.messageConsumed(bytes: bytes, on: id) {
            self.write(frame)
        }
    }

    private func failAllStreams(_ error: RPCError) {
        let entries = self.streams
        self.streams.removeAll()
        for (_, entry) in entries {
            _ = entry.box.abort(error)
        }
    }

    // MARK: - Calls from tasks (each one hop onto the event loop)

    /// Client: opens a stream for `box`, queues `messages` and optionally the
    /// half-close, and writes what credit allows, all in one flush.
    func openStream(
        _ box: RPCStreamBox,
        path: String,
        metadata: Metadata,
        deadline: NIODeadline?,
        messages: [ByteBuffer],
        halfClose: Bool
    ) {
        guard box.inboundEnd == nil else { return }  // cancelled before it was opened
        let now = NIODeadline.now()
        do {
            let frame = try self.machine.openStream(
                path: path,
                metadata: metadata,
                timeout: deadline.map { $0 - now },
                endStream: halfClose && messages.isEmpty,
                now: now
            )
            self.write(frame)
            let id = frame.streamID
            box.assign(id)
            let entry = StreamEntry(box: box)
            entry.queue.enqueue(messages, end: halfClose && !messages.isEmpty ? .halfClose : nil)
            self.streams[id] = entry
            if deadline != nil {
                self.timerNeedsUpdate = true
            }
            self.takeQueued(from: box, into: entry)
            self.sendQueued(id, entry)
        } catch {
            _ = box.abort(error)
        }
        self.flushNow()
        self.updateTimerIfNeeded()
    }

    /// Takes what writers queued on `box` and sends what credit allows.
    func drain(_ box: RPCStreamBox) {
        guard let id = box.streamID, let entry = self.streams[id] else {
            _ = box.takeOutbound()
            return
        }
        self.takeQueued(from: box, into: entry)
        self.sendQueued(id, entry)
        self.flushNow()
    }

    /// Returns the credit a reader consumed and asked to have reported.
    func returnConsumedCredit(of box: RPCStreamBox) {
        guard let id = box.streamID else { return }
        self.returnCredit(box.collectConsumedCredit(), on: id)
        self.flushNow()
    }

    /// Ends the stream with RST (cancellation, a malformed message, a failed handler).
    func resetStream(of box: RPCStreamBox, error: RPCError) {
        guard let id = box.streamID else { return }
        if let frame = self.machine.resetStream(id, code: error.code, message: error.message) {
            self.write(frame)
        }
        if let entry = self.streams.removeValue(forKey: id) {
            self.returnCredit(entry.box.abort(error), on: id)
        }
        self.closeIfReady()
        self.flushNow()
    }

    /// Starts a graceful shutdown: GOAWAY, no new streams, close once the
    /// streams in flight are done. Before the preface exchange, it happens
    /// right after it.
    func beginGracefulShutdown() {
        guard self.machine.isActive else {
            if !self.machine.isClosed {
                self.shutdownRequested = true
            }
            return
        }
        if let frame = self.machine.beginGracefulShutdown() {
            self.write(frame)
        }
        self.closeIfReady()
        self.flushNow()
    }

    /// Closes the connection if no stream is in flight.
    func closeIfIdle() {
        if self.streams.isEmpty {
            self.closeNow()
        }
    }

    /// Closes the connection now; unfinished streams fail with `UNAVAILABLE`.
    func closeNow() {
        guard !self.closeInitiated, let context = self.context else { return }
        self.closeInitiated = true
        self.inReadBurst = false  // whatever is encoded (a GOAWAY) goes out before the close
        self.flushNow()
        context.close(promise: nil)
    }

    // MARK: - Outbound

    private func takeQueued(from box: RPCStreamBox, into entry: StreamEntry) {
        let (_, messages, end) = box.takeOutbound()
        entry.queue.enqueue(messages, end: end)
    }

    private func sendAllQueued() {
        for (id, entry) in self.streams where !entry.queue.isEmpty {
            self.sendQueued(id, entry)
        }
    }

    /// Sends queued messages while credit and the channel allow, then the
    /// queued end (half-close or trailers) once the queue is empty; what to
    /// send next is ``RPCOutboundQueue``'s decision.
    private func sendQueued(_ id: StreamID, _ entry: StreamEntry) {
        guard let context = self.context else { return }
        var sentBytes = entry.queue.discardIfEnding()
        // Tells the writer what left its buffer, before anything ends the stream.
        func reportSent() {
            if sentBytes > 0 { entry.box.outboundSent(sentBytes) }
            sentBytes = 0
        }
        defer { reportSent() }
        while true {
            switch entry.queue.next {
            case .message(let message, let endStream):
                guard context.channel.isWritable else { return }
                do {
                    guard case .send(let frame) = try self.machine.sendMessage(message, on: id, endStream: endStream) else {
                        return  // blocked on credit
                    }
                    self.write(frame)
                    sentBytes += entry.queue.sent()
                } catch {
                    reportSent()
                    self.failStreamLocally(id, entry, error)
                    return
                }
            case .halfClose:
                reportSent()
                entry.queue.sent()
                do {
                    self.write(try self.machine.sendHalfClose(on: id))
                } catch {
                    self.failStreamLocally(id, entry, error)
                }
                return
            case .trailers(let trailers):
                reportSent()
                entry.queue.sent()
                do {
                    self.write(try self.machine.sendTrailers(trailers, on: id))
                } catch {
                    // Invalid trailing metadata: nothing changed; report it instead.
                    let fallback = Frame.Trailers(code: .internalError, message: "handler produced invalid trailers: \(error.message)")
                    if let frame = try? self.machine.sendTrailers(fallback, on: id) {
                        self.write(frame)
                    }
                }
                self.streams.removeValue(forKey: id)
                self.returnCredit(entry.box.complete(inboundError: nil), on: id)
                self.closeIfReady()
                return
            case .idle:
                return
            }
        }
    }

    /// This side cannot go on with a stream (it sent something the state
    /// does not allow): reset it with INTERNAL if it is still active.
    private func failStreamLocally(_ id: StreamID, _ entry: StreamEntry, _ error: RPCError) {
        self.logger.debug("stream failed locally", metadata: [RPCLogKey.stream: "\(id)", "kiem.error": "\(error)"])
        if let frame = self.machine.resetStream(id, code: .internalError, message: error.message) {
            self.write(frame)
        }
        self.streams.removeValue(forKey: id)
        self.returnCredit(entry.box.abort(error), on: id)
        self.closeIfReady()
    }

    private func write(_ frame: Frame) {
        frame.write(to: &self.outbound)
        self.hasPendingWrites = true
    }

    /// Writes and flushes what was encoded, unless inside a read burst
    /// (``channelReadComplete(context:)`` flushes then).
    private func flushNow() {
        guard self.hasPendingWrites, !self.inReadBurst, let context = self.context else { return }
        let buffer = self.outbound
        self.outbound = context.channel.allocator.buffer(capacity: max(1024, min(buffer.readableBytes, 64 * 1024)))
        self.hasPendingWrites = false
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
    }

    private func closeIfReady() {
        if self.machine.isReadyToClose {
            self.closeNow()
        }
    }

    // MARK: - Time

    private func updateTimerIfNeeded() {
        guard self.timerNeedsUpdate || self.timer == nil, let context = self.context else { return }
        self.timerNeedsUpdate = false
        guard let next = self.machine.nextTimerDeadline else {
            self.timer?.task.cancel()
            self.timer = nil
            return
        }
        if let timer = self.timer, timer.deadline <= next {
            return
        }
        self.timer?.task.cancel()
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: next) {
            self.timerFired()
        }
        self.timer = (next, task)
    }

    private func timerFired() {
        self.timer = nil
        for action in self.machine.tick(now: .now()) {
            self.perform(action)
        }
        self.flushNow()
        self.timerNeedsUpdate = true
        self.updateTimerIfNeeded()
    }
}

@available(*, unavailable)
extension RPCConnectionHandler: Sendable {}

/// Metadata keys of the RPC layer's log lines.
enum RPCLogKey {
    static let peer = "kiem.peer"
    static let stream = "kiem.stream"
    static let method = "kiem.method"
}
