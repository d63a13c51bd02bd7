import GRPCCore

/// The two methods of the gRPC baseline (`deploy/bench/grpc_baseline.py`),
/// on raw bytes as grpcio's generic handlers are, so no protoc is needed:
///
///     /bench.Bench/Unary   request: any bytes; response: the same bytes
///     /bench.Bench/Stream  request: u64 count, u32 size (big-endian, 12 bytes);
///                          response: `count` messages of `size` bytes
struct BenchService: RegistrableRPCService {
    static let unary = MethodDescriptor(fullyQualifiedService: "bench.Bench", method: "Unary", type: .unary)
    static let stream = MethodDescriptor(fullyQualifiedService: "bench.Bench", method: "Stream", type: .serverStreaming)

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(forMethod: Self.unary, deserializer: RawBytes(), serializer: RawBytes()) { request, _ in
            let request = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: ServerResponse(message: request.message))
        }
        router.registerHandler(forMethod: Self.stream, deserializer: RawBytes(), serializer: RawBytes()) { request, _ in
            let request = try await ServerRequest(stream: request)
            guard let (count, size) = StreamRequest.decode(request.message) else {
                throw RPCError(code: .invalidArgument, message: "request is u64 count, u32 size (big-endian)")
            }
            return StreamingServerResponse { writer in
                let payload = [UInt8](repeating: 0, count: size)  // one buffer, sent `count` times
                for _ in 0..<count {
                    try await writer.write(payload)
                }
                return [:]
            }
        }
    }
}

/// The identity on bytes, as grpcio's handlers without (de)serializers.
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { [UInt8]($0) }
    }
}

/// The Stream method's request: u64 count, u32 size, big-endian.
enum StreamRequest {
    static func encode(count: Int, size: Int) -> [UInt8] {
        let count = UInt64(count).bigEndian
        let size = UInt32(size).bigEndian
        return withUnsafeBytes(of: count) { [UInt8]($0) } + withUnsafeBytes(of: size) { [UInt8]($0) }
    }

    static func decode(_ bytes: [UInt8]) -> (count: Int, size: Int)? {
        guard bytes.count == 12 else { return nil }
        let count = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let size = bytes[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard count <= UInt64(Int.max) else { return nil }
        return (Int(count), Int(size))
    }
}
