public import KiemProtocol
public import KiemWire
import Logging
import NIOCore

/// The methods a server serves, by path, with a handler per method for each
/// of the four call shapes. A value: build it, then give it to ``RPCServer``.
///
/// Handlers run in a task of their own, concurrently with the connection's
/// other calls. What they throw becomes the call's status: an ``RPCError``
/// as it is, `CancellationError` as `DEADLINE_EXCEEDED` once the deadline
/// passed, as `UNAVAILABLE` when the server is stopping (its task was
/// cancelled) and as `CANCELLED` otherwise, anything else as `UNKNOWN`. When the client resets
/// the stream or the deadline passes, the handler's task is cancelled.
///
/// ```swift
/// var router = RPCRouter()
/// router.unary(status) { request, context in
///     Kiem_V1_StatusResponse.with { $0.node = "uwv-1" }
/// }
/// ```
public struct RPCRouter: Sendable {
    private var routes: [String: RPCRoute] = [:]

    /// An empty router.
    public init() {}

    /// The registered methods, by path.
    public var methods: [MethodDescriptor] {
        self.routes.values.map(\.descriptor).sorted { $0.path < $1.path }
    }

    func route(for path: String) -> RPCRoute? {
        self.routes[path]
    }

    /// Serves a unary method: one request in, one response out.
    public mutating func unary<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) {
        self.routes[method.descriptor.path] = RPCRoute(descriptor: method.descriptor) { box, context in
            let requests = RPCMessageStream(box: box, codec: method.requestCodec, side: .server)
            let responses = RPCMessageWriter(box: box, codec: method.responseCodec)
            do {
                let request = try await requests.single(what: "request")
                let response = try await handler(request, context)
                box.finishOutbound(.trailers(.ok, discardQueued: false), lastMessage: try responses.encodePayload(response))
            } catch {
                RPCRoute.fail(box, with: error, context: context)
            }
        }
    }

    /// Serves a server-streaming method: one request in, any number of
    /// responses out through the writer. Returning ends the call with OK.
    public mutating func serverStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (Request, RPCMessageWriter<Response>, RPCServerContext) async throws -> Void
    ) {
        self.routes[method.descriptor.path] = RPCRoute(descriptor: method.descriptor) { box, context in
            let requests = RPCMessageStream(box: box, codec: method.requestCodec, side: .server)
            let responses = RPCMessageWriter(box: box, codec: method.responseCodec)
            do {
                let request = try await requests.single(what: "request")
                try await handler(request, responses, context)
                box.finishOutbound(.trailers(.ok, discardQueued: false))
            } catch {
                RPCRoute.fail(box, with: error, context: context)
            }
        }
    }

    /// Serves a client-streaming method: a stream of requests in, one
    /// response out.
    public mutating func clientStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (RPCMessageStream<Request>, RPCServerContext) async throws -> Response
    ) {
        self.routes[method.descriptor.path] = RPCRoute(descriptor: method.descriptor) { box, context in
            let requests = RPCMessageStream(box: box, codec: method.requestCodec, side: .server)
            let responses = RPCMessageWriter(box: box, codec: method.responseCodec)
            do {
                let response = try await handler(requests, context)
                box.finishOutbound(.trailers(.ok, discardQueued: false), lastMessage: try responses.encodePayload(response))
            } catch {
                RPCRoute.fail(box, with: error, context: context)
            }
        }
    }

    /// Serves a bidirectional method: requests in and responses out,
    /// concurrently if the handler wants. Returning ends the call with OK.
    public mutating func bidirectionalStreaming<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (RPCMessageStream<Request>, RPCMessageWriter<Response>, RPCServerContext) async throws -> Void
    ) {
        self.routes[method.descriptor.path] = RPCRoute(descriptor: method.descriptor) { box, context in
            let requests = RPCMessageStream(box: box, codec: method.requestCodec, side: .server)
            let responses = RPCMessageWriter(box: box, codec: method.responseCodec)
            do {
                try await handler(requests, responses, context)
                box.finishOutbound(.trailers(.ok, discardQueued: false))
            } catch {
                RPCRoute.fail(box, with: error, context: context)
            }
        }
    }
}

/// One registered method: its descriptor and the type-erased code that runs
/// a call of it on a stream.
struct RPCRoute: Sendable {
    let descriptor: MethodDescriptor
    let run: @Sendable (RPCStreamBox, RPCServerContext) async -> Void

    /// What a peer is told when a handler fails for a reason of the server's own.
    static let internalFailureMessage = "the server failed to handle the call; its log says why"

    /// Ends a call whose handler failed with the status WIRE.md asks for,
    /// unless the stream is already gone (reset, deadline, connection lost).
    static func fail(_ box: RPCStreamBox, with error: any Error, context: RPCServerContext) {
        if box.abortError != nil {
            return
        }
        let status: RPCError
        switch error {
        case let error as RPCError:
            status = error
        case let error as any RPCErrorConvertible:
            status = error.rpcError
        case is CancellationError:
            if let deadline = context.deadline, deadline <= .now() {
                status = RPCError(code: .deadlineExceeded, message: "deadline exceeded")
            } else if Task.isCancelled {
                // Not the stream (that would be an abort) and not the
                // deadline: the server itself is stopping.
                status = RPCError(code: .unavailable, message: "the server is shutting down")
            } else {
                status = RPCError(code: .cancelled, message: "the handler was cancelled")
            }
        case _ where context.peer == nil:
            // The control socket: the caller is the node's own administrator.
            status = RPCError(code: .unknown, message: "handler failed: \(error)", cause: error)
        default:
            // A peer gets a message we chose, never an internal error's text.
            status = RPCError(code: .unknown, message: RPCRoute.internalFailureMessage, cause: error)
        }
        if status.code == .unknown || status.code == .internalError {
            context.logger.warning("handler failed", metadata: [
                "kiem.status": "\(status.code)", "kiem.error": "\(status.cause.map { "\($0)" } ?? status.message)",
            ])
        } else {
            context.logger.debug("call failed", metadata: ["kiem.status": "\(status.code)", "kiem.error": "\(status.message)"])
        }
        box.finishOutbound(.trailers(Frame.Trailers(status), discardQueued: true))
    }
}
