public import KiemProtocol
import KiemWire
import NIOCore

extension RPCClient {
    /// Calls a unary method: one request, one response.
    ///
    /// Like every call, it runs on the connection's event loop unless
    /// ``RPCConnectionConfiguration/runsOnEventLoop`` is off.
    ///
    /// The request goes out with OPEN and END_STREAM in one write.
    /// - Throws: ``RPCError`` with the server's status, or a local one
    ///   (`DEADLINE_EXCEEDED`, `CANCELLED`, `UNAVAILABLE`, `INTERNAL` for a
    ///   malformed response or a wrong number of responses).
    public func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        request: Request,
        options: RPCCallOptions = RPCCallOptions()
    ) async throws -> Response {
        try await withTaskExecutorPreference(self.taskExecutor) {
            let box = self.makeBox()
            let payload = try RPCMessageWriter(box: box, codec: method.requestCodec).encodePayload(request)
            let responses = RPCMessageStream(box: box, codec: method.responseCodec, side: .client)
            return try await withTaskCancellationHandler {
                try self.open(box, method.descriptor, options: options, messages: [payload], halfClose: true)
                return try await responses.single(what: "response")
            } onCancel: {
                box.cancelIfUnfinished()
            }
        }
    }

    /// Calls a server-streaming method: one request, then `responses` reads
    /// the stream of answers. If `responses` returns (or throws) before the
    /// stream ended, the call is cancelled (`RST CANCELLED`).
    /// - Returns: what `responses` returns.
    public func serverStreaming<Request, Response, Result: Sendable>(
        _ method: RPCMethod<Request, Response>,
        request: Request,
        options: RPCCallOptions = RPCCallOptions(),
        responses body: (RPCMessageStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await withTaskExecutorPreference(self.taskExecutor) {
            let box = self.makeBox()
            let payload = try RPCMessageWriter(box: box, codec: method.requestCodec).encodePayload(request)
            let responses = RPCMessageStream(box: box, codec: method.responseCodec, side: .client)
            return try await withTaskCancellationHandler {
                try self.open(box, method.descriptor, options: options, messages: [payload], halfClose: true)
                do {
                    let result = try await body(responses)
                    box.cancelIfUnfinished()
                    return result
                } catch {
                    box.cancelIfUnfinished()
                    throw error
                }
            } onCancel: {
                box.cancelIfUnfinished()
            }
        }
    }

    /// Calls a client-streaming method: `requests` writes the stream of
    /// requests (returning half-closes it), then the single response is
    /// awaited. If the server ends the call early, the writer's next write
    /// fails and the server's outcome is the call's outcome.
    public func clientStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        options: RPCCallOptions = RPCCallOptions(),
        requests producer: (RPCMessageWriter<Request>) async throws -> Void
    ) async throws -> Response {
        try await withTaskExecutorPreference(self.taskExecutor) {
            let box = self.makeBox()
            let writer = RPCMessageWriter(box: box, codec: method.requestCodec)
            let responses = RPCMessageStream(box: box, codec: method.responseCodec, side: .client)
            return try await withTaskCancellationHandler {
                try self.open(box, method.descriptor, options: options, messages: [], halfClose: false)
                do {
                    try await producer(writer)
                    box.finishOutbound(.halfClose)
                } catch {
                    // Unless the call already ended (its outcome wins), the
                    // producer's failure fails it.
                    if box.inboundEnd == nil {
                        box.reset(RPCError(code: .cancelled, message: "the request producer failed: \(error)"))
                        throw error
                    }
                }
                return try await responses.single(what: "response")
            } onCancel: {
                box.cancelIfUnfinished()
            }
        }
    }

    /// Calls a bidirectional method: `requests` runs in a child task and
    /// writes requests (returning half-closes), while `responses` reads the
    /// answers. When `responses` returns, an unfinished call is cancelled and
    /// so is the producer.
    /// - Returns: what `responses` returns.
    public func bidirectionalStreaming<Request, Response, Result: Sendable>(
        _ method: RPCMethod<Request, Response>,
        options: RPCCallOptions = RPCCallOptions(),
        requests producer: @escaping @Sendable (RPCMessageWriter<Request>) async throws -> Void,
        responses body: (RPCMessageStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await withTaskExecutorPreference(self.taskExecutor) {
            let box = self.makeBox()
            let writer = RPCMessageWriter(box: box, codec: method.requestCodec)
            let responses = RPCMessageStream(box: box, codec: method.responseCodec, side: .client)
            return try await withTaskCancellationHandler {
                try self.open(box, method.descriptor, options: options, messages: [], halfClose: false)
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            try await producer(writer)
                            box.finishOutbound(.halfClose)
                        } catch {
                            if box.inboundEnd == nil {
                                box.reset(RPCError(code: .cancelled, message: "the request producer failed: \(error)"))
                            }
                        }
                    }
                    do {
                        let result = try await body(responses)
                        box.cancelIfUnfinished()
                        group.cancelAll()
                        return result
                    } catch {
                        box.cancelIfUnfinished()
                        group.cancelAll()
                        throw error
                    }
                }
            } onCancel: {
                box.cancelIfUnfinished()
            }
        }
    }

    // MARK: - Helpers

    func makeBox() -> RPCStreamBox {
        RPCStreamBox(
            streamID: nil,
            eventLoop: self.channel.eventLoop,
            connection: self.handler,
            maximumMessageSize: self.maximumMessageSize,
            outboundLimit: self.configuration.outboundBufferLimit,
            waitingWriters: self.configuration.waitingWriters,
            creditReportThreshold: self.creditReportThreshold
        )
    }

    /// Opens the stream with one hop: OPEN, the first messages and the
    /// half-close go out in one write. Failures to open (connection gone,
    /// stream limit) fail `box`; a deadline that has already passed throws.
    func open(
        _ box: RPCStreamBox,
        _ method: MethodDescriptor,
        options: RPCCallOptions,
        messages: [ByteBuffer],
        halfClose: Bool
    ) throws {
        let now = NIODeadline.now()
        let deadline = options.effectiveDeadline(now: now)
        if let deadline, deadline <= now {
            throw RPCError(code: .deadlineExceeded, message: "deadline passed before the call started")
        }
        for message in messages where message.readableBytes > self.maximumMessageSize {
            throw RPCError(
                code: .resourceExhausted,
                message: "message of \(message.readableBytes) bytes exceeds the peer's max frame size of \(self.maximumMessageSize)"
            )
        }
        let handler = self.handler
        let path = method.path
        let metadata = options.metadata
        self.channel.eventLoop.execute {
            handler.value.openStream(box, path: path, metadata: metadata, deadline: deadline, messages: messages, halfClose: halfClose)
        }
    }
}
