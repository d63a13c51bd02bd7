public import KiemWire
public import NIOCore
public import SwiftProtobuf

/// A method with its message types: the descriptor that names it on the
/// wire and the codecs for its request and response.
///
/// Declare each method once and use it on both ends, so the client and the
/// server agree on types by construction:
///
/// ```swift
/// let status = RPCMethod<Kiem_V1_StatusRequest, Kiem_V1_StatusResponse>(MethodDescriptor.Control.status)
/// router.unary(status) { request, context in … }        // server
/// let reply = try await client.unary(status, request: .init())  // client
/// ```
public struct RPCMethod<Request: Sendable, Response: Sendable>: Sendable {
    /// Path and call shape.
    public var descriptor: MethodDescriptor
    /// How requests travel.
    public var requestCodec: RPCCodec<Request>
    /// How responses travel.
    public var responseCodec: RPCCodec<Response>

    /// Creates a method with explicit codecs.
    public init(_ descriptor: MethodDescriptor, requestCodec: RPCCodec<Request>, responseCodec: RPCCodec<Response>) {
        self.descriptor = descriptor
        self.requestCodec = requestCodec
        self.responseCodec = responseCodec
    }
}

extension RPCMethod where Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message {
    /// A method whose messages are protocol buffers.
    public init(_ descriptor: MethodDescriptor) {
        self.init(descriptor, requestCodec: .protobuf, responseCodec: .protobuf)
    }
}

extension RPCMethod where Request == ByteBuffer, Response == ByteBuffer {
    /// A method whose messages are raw payload bytes.
    public static func raw(_ descriptor: MethodDescriptor) -> RPCMethod<ByteBuffer, ByteBuffer> {
        RPCMethod(descriptor, requestCodec: .raw, responseCodec: .raw)
    }
}

/// What a typed method says on the wire: its path and shape, and the full
/// protobuf names of its request and response messages (`kiem.v1.PullRequest`),
/// so that tests can hold every typed method against the .proto files.
package struct RPCMethodSignature: Sendable, Hashable, CustomStringConvertible {
    package var descriptor: MethodDescriptor
    package var request: String
    package var response: String

    package var description: String { "\(descriptor.path)(\(request)) returns (\(response))" }
}

extension RPCMethod where Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message {
    /// The method's path, shape and message names.
    package var signature: RPCMethodSignature {
        RPCMethodSignature(descriptor: descriptor, request: Request.protoMessageName, response: Response.protoMessageName)
    }
}
