import Foundation
import KiemCore
import KiemProtocol
import KiemTestSupport
@testable import KiemTransport
import KiemWire
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Certificates and TLS contexts for the RPC tests: one federation CA, a
/// server node `svb/svb-1` and client nodes from it.
/// Made once per run; one that cannot be made fails every test that needs
/// it, not the run.
enum RPCFixtures {
    private static let madePKI = Result { try TestPKI(name: "Kiem RPC test federation") }
    private static let madeServerIdentity = Result { try madePKI.get().node("svb", "svb-1").tlsIdentity() }
    private static let madeClientIdentity = Result { try madePKI.get().node("uwv", "uwv-1").tlsIdentity() }
    static var pki: TestPKI { get throws { try madePKI.get() } }
    static var serverIdentity: NodeTLSIdentity { get throws { try madeServerIdentity.get() } }
    static var clientIdentity: NodeTLSIdentity { get throws { try madeClientIdentity.get() } }

    /// Quiet unless `KIEM_TEST_LOG` is set (to a level such as `debug`).
    static let logger: Logger = {
        if let level = ProcessInfo.processInfo.environment["KIEM_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) {
            var logger = Logger(label: "kiem.test.rpc")
            logger.logLevel = level
            return logger
        }
        return Logger(label: "kiem.test.rpc", factory: { _ in SwiftLogNoOpLogHandler() })
    }()

    static func serverTLS() throws -> KiemTLSContext {
        try KiemTLSContext(
            role: .server,
            identity: try serverIdentity,
            applicationProtocols: [RPCServer.applicationProtocol],
            logger: logger
        )
    }

    static func clientTLS(_ identity: NodeTLSIdentity? = nil) throws -> KiemTLSContext {
        try KiemTLSContext(
            role: .client,
            identity: try identity ?? clientIdentity,
            applicationProtocols: [RPCServer.applicationProtocol],
            logger: logger
        )
    }
}

/// The methods the tests serve. Messages are raw bytes (except `removePeer`,
/// which uses the generated protobuf types): small big-endian integers.
enum TestMethods {
    static let service = "kiem.test.Probe"
    /// Echoes the request; a request "metadata:KEY" answers the value of KEY.
    static let echo = RPCMethod.raw(MethodDescriptor(service: service, method: "Echo", kind: .unary))
    /// Answers the caller's identity as text, "none" without one.
    static let whoAmI = RPCMethod.raw(MethodDescriptor(service: service, method: "WhoAmI", kind: .unary))
    /// Request: u32 count, u32 size. Answers `count` messages of `size`
    /// bytes, each starting with its index as u32.
    static let count = RPCMethod.raw(MethodDescriptor(service: service, method: "Count", kind: .serverStreaming))
    /// Sums the u32 requests; answers the total as u64.
    static let sum = RPCMethod.raw(MethodDescriptor(service: service, method: "Sum", kind: .clientStreaming))
    /// Echoes each request as it arrives.
    static let chat = RPCMethod.raw(MethodDescriptor(service: service, method: "Chat", kind: .bidirectionalStreaming))
    /// Waits until cancelled; reports start and cancellation to the probe.
    static let hang = RPCMethod.raw(MethodDescriptor(service: service, method: "Hang", kind: .unary))
    /// Streams messages until cancelled; reports to the probe.
    static let flood = RPCMethod.raw(MethodDescriptor(service: service, method: "Flood", kind: .serverStreaming))
    /// Reports its start, waits at the probe's barrier, then echoes.
    static let rendezvous = RPCMethod.raw(MethodDescriptor(service: service, method: "Rendezvous", kind: .unary))
    /// Fails: a request "convertible" with an ``RPCErrorConvertible`` error
    /// (`FAILED_PRECONDITION`), anything else with an internal error whose
    /// text names a file.
    static let fail = RPCMethod.raw(MethodDescriptor(service: service, method: "Fail", kind: .unary))
    /// A generated protobuf pair.
    static let removePeer = RPCMethod<Kiem_V1_RemovePeerRequest, Kiem_V1_RemovePeerResponse>(MethodDescriptor.Control.removePeer)
}

/// What server handlers report to a test.
enum ProbeEvent: Sendable, Equatable {
    case started(String)
    /// The handler's task was cancelled; with the abort status it saw.
    case cancelled(String, StatusCode?)
    /// A flow-control figure from the server's writer.
    case writerStatistics(highWaterUnsentBytes: Int, suspensions: Int)
}

/// Collects server-side events and provides a barrier for rendezvous calls.
final class Probe: Sendable {
    let events: AsyncStream<ProbeEvent>
    private let continuation: AsyncStream<ProbeEvent>.Continuation
    private let barrier: Mutex<(arrived: Int, waiters: [CheckedContinuation<Void, Never>])>
    let barrierSize: Int

    init(barrierSize: Int = 0) {
        (self.events, self.continuation) = AsyncStream.makeStream(of: ProbeEvent.self)
        self.barrier = Mutex((0, []))
        self.barrierSize = barrierSize
    }

    func report(_ event: ProbeEvent) {
        self.continuation.yield(event)
    }

    /// Waits until `barrierSize` callers arrived.
    func arriveAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let release = self.barrier.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.arrived += 1
                state.waiters.append(continuation)
                if state.arrived >= self.barrierSize {
                    let waiters = state.waiters
                    state.waiters = []
                    return waiters
                }
                return []
            }
            for waiter in release {
                waiter.resume()
            }
        }
    }

    /// The next event, failing after `seconds`.
    func next(_ seconds: Double = 10) async throws -> ProbeEvent {
        let events = self.events
        return try await withDeadline(seconds: seconds, "probe event") {
            var iterator = events.makeAsyncIterator()
            guard let event = await iterator.next() else { throw RPCTestError.closed }
            return event
        }
    }
}

enum RPCTestError: Error {
    case timedOut(String)
    case closed
}

func removePeerRequest(_ address: String) -> Kiem_V1_RemovePeerRequest {
    var request = Kiem_V1_RemovePeerRequest()
    request.peer = address
    return request
}

extension ByteBuffer {
    static func integers(_ values: UInt32...) -> ByteBuffer {
        var buffer = ByteBuffer()
        for value in values {
            buffer.writeInteger(value)
        }
        return buffer
    }
}

/// The router every RPC test serves.
func makeTestRouter(probe: Probe) -> RPCRouter {
    var router = RPCRouter()
    router.unary(TestMethods.echo) { request, context in
        if let text = request.getString(at: request.readerIndex, length: request.readableBytes), text.hasPrefix("metadata:") {
            return ByteBuffer(string: context.metadata[String(text.dropFirst("metadata:".count))] ?? "<missing>")
        }
        return request
    }
    router.unary(TestMethods.fail) { request, _ in
        if String(buffer: request) == "convertible" { throw TestConvertibleError() }
        throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: "/var/lib/kiem/kiem.sqlite"])
    }
    router.unary(TestMethods.whoAmI) { _, context in
        ByteBuffer(string: context.peer.map { "\($0.organisation.rawValue)/\($0.node.rawValue)" } ?? "none")
    }
    router.serverStreaming(TestMethods.count) { request, writer, _ in
        var request = request
        guard let (count, size) = request.readMultipleIntegers(as: (UInt32, UInt32).self) else {
            throw RPCError(code: .invalidArgument, message: "need count and size")
        }
        let padding = ByteBuffer(repeating: 0x2A, count: max(0, Int(size) - 4))
        for index in 0..<count {
            var message = ByteBuffer()
            message.reserveCapacity(Int(max(size, 4)))
            message.writeInteger(index)
            message.writeImmutableBuffer(padding)
            try await writer.write(message)
        }
        probe.report(.writerStatistics(
            highWaterUnsentBytes: writer.box.statistics.highWaterUnsentBytes,
            suspensions: writer.box.statistics.writerSuspensions
        ))
    }
    router.clientStreaming(TestMethods.sum) { requests, _ in
        var total: UInt64 = 0
        for try await var request in requests {
            guard let value = request.readInteger(as: UInt32.self) else {
                throw RPCError(code: .invalidArgument, message: "not a u32")
            }
            total += UInt64(value)
        }
        var response = ByteBuffer()
        response.writeInteger(total)
        return response
    }
    router.bidirectionalStreaming(TestMethods.chat) { requests, writer, _ in
        for try await request in requests {
            try await writer.write(request)
        }
    }
    router.unary(TestMethods.hang) { request, context in
        let tag = String(buffer: request)
        probe.report(.started(tag))
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            probe.report(.cancelled(tag, context.abortStatus?.code))
            throw error
        }
        return request
    }
    router.serverStreaming(TestMethods.flood) { request, writer, context in
        let tag = String(buffer: request)
        probe.report(.started(tag))
        do {
            while true {
                try await writer.write(ByteBuffer(repeating: 1, count: 16))
                try Task.checkCancellation()
            }
        } catch {
            probe.report(.cancelled(tag, context.abortStatus?.code))
            throw error
        }
    }
    router.unary(TestMethods.rendezvous) { request, _ in
        probe.report(.started(String(buffer: request)))
        await probe.arriveAndWait()
        return request
    }
    router.unary(TestMethods.removePeer) { request, _ in
        guard !request.peer.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "address is empty")
        }
        var response = Kiem_V1_RemovePeerResponse()
        response.removed = request.peer.hasSuffix(":7443")
        return response
    }
    return router
}

/// A running test server: bound, serving in a child task, shut down
/// gracefully (then cancelled, if that hangs) when `body` returns.
func withTestServer<Result: Sendable>(
    _ transport: RPCServerTransport? = nil,
    router: RPCRouter,
    configuration: RPCConnectionConfiguration = RPCConnectionConfiguration(),
    _ body: @escaping @Sendable (RPCServer) async throws -> Result
) async throws -> Result {
    let server = try await RPCServer.bind(
        try transport ?? .tls(host: "127.0.0.1", port: 0, context: RPCFixtures.serverTLS()),
        router: router,
        configuration: configuration,
        logger: RPCFixtures.logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await server.run()
        }
        let result: Result
        do {
            result = try await withDeadline(seconds: 60, "test body") { try await body(server) }
        } catch {
            group.cancelAll()
            throw error
        }
        server.beginGracefulShutdown()
        group.addTask {
            try await Task.sleep(for: .seconds(10))
            throw RPCTestError.timedOut("graceful shutdown")
        }
        try await group.next()
        group.cancelAll()
        return result
    }
}

/// A TLS client of `server` on 127.0.0.1.
func withTestClient<Result: Sendable>(
    _ server: RPCServer,
    identity: NodeTLSIdentity? = nil,
    configuration: RPCConnectionConfiguration = RPCConnectionConfiguration(),
    _ body: (RPCClient) async throws -> Result
) async throws -> Result {
    try await RPCClient.withConnection(
        to: .tls(host: "127.0.0.1", port: server.localAddress!.port!, context: RPCFixtures.clientTLS(identity)),
        configuration: configuration,
        logger: RPCFixtures.logger,
        body
    )
}

/// An error that chooses its own status.
struct TestConvertibleError: RPCErrorConvertible {
    var rpcError: RPCError { RPCError(code: .failedPrecondition, message: "the test says no") }
}
