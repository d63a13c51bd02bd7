import GRPCCore

/// The two timed workloads of grpc_baseline.py, on a connected client.
struct BenchMeasurement: Sendable {
    var messages: Int
    var size: Int
    var unary: Int
    var unarySize: Int
    var warmup: Int

    struct Figures: Sendable {
        var streamMessages: Int
        var streamSeconds: Double
        var messagesPerSecond: Double
        var megabytesPerSecond: Double
        var unaryP50: Double
        var unaryP99: Double
    }

    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Figures {
        // Connect and handshake before timing anything, then warm the
        // streaming path briefly so that the timed call does not pay for setup.
        _ = try await self.call(client, [UInt8]("hello".utf8))
        _ = try await self.stream(client, count: min(1000, self.messages))

        let (seconds, received) = try await self.stream(client, count: self.messages)

        let payload = (0..<self.unarySize).map { _ in UInt8.random(in: 0...255) }
        for _ in 0..<self.warmup {
            _ = try await self.call(client, payload)
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(self.unary)
        let clock = ContinuousClock()
        for _ in 0..<self.unary {
            let start = clock.now
            let reply = try await self.call(client, payload)
            let elapsed = clock.now - start
            latencies.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            guard reply == payload else {
                throw Mismatch(description: "unary echo mismatch")
            }
        }
        latencies.sort()
        return Figures(
            streamMessages: received,
            streamSeconds: seconds,
            messagesPerSecond: Double(received) / seconds,
            megabytesPerSecond: Double(received * self.size) / seconds / 1e6,
            unaryP50: Self.percentile(latencies, 50),
            unaryP99: Self.percentile(latencies, 99)
        )
    }

    private func call<Transport: ClientTransport>(_ client: GRPCClient<Transport>, _ payload: [UInt8]) async throws -> [UInt8] {
        try await client.unary(
            request: ClientRequest(message: payload), descriptor: BenchService.unary,
            serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
        ) { try $0.message }
    }

    /// One server-streaming call; (wall seconds from request to last message, messages).
    private func stream<Transport: ClientTransport>(_ client: GRPCClient<Transport>, count: Int) async throws -> (Double, Int) {
        let clock = ContinuousClock()
        let start = clock.now
        let size = self.size
        let (received, bytes) = try await client.serverStreaming(
            request: ClientRequest(message: StreamRequest.encode(count: count, size: size)), descriptor: BenchService.stream,
            serializer: RawBytes(), deserializer: RawBytes(), options: .defaults
        ) { response in
            var received = 0
            var bytes = 0
            for try await message in response.messages {
                received += 1
                bytes += message.count
            }
            return (received, bytes)
        }
        let elapsed = clock.now - start
        guard received == count, bytes == count * size else {
            throw Mismatch(description: "stream returned \(received) messages, \(bytes) bytes; expected \(count) x \(size)")
        }
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, received)
    }

    /// Nearest-rank percentile of an ascending list (as grpc_baseline.py computes it).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = max(1, Int((Double(sorted.count) * p / 100).rounded(.up)))
        return sorted[rank - 1]
    }
}
