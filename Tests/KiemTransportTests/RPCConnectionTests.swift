import Foundation
import KiemProtocol
import KiemTestSupport
@testable import KiemTransport
import KiemWire
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Connection-level behaviour: bad frames, graceful shutdown, the control
/// socket.
@Suite("RPC connections")
struct RPCConnectionTests {
    @Test("an oversized frame gets GOAWAY FRAME_SIZE_ERROR and a close; other connections go on")
    func oversizedFrame() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                #expect(String(buffer: try await client.unary(TestMethods.echo, request: ByteBuffer(string: "before"))) == "before")

                // A second, raw TLS connection: a valid preface, then a frame
                // header announcing 5 MiB (the server's maximum is 4 MiB).
                var bytes = ByteBuffer()
                Preface().write(to: &bytes)
                FrameHeader(length: 5 * 1024 * 1024, type: .message, flags: [], streamID: StreamID(1)).write(to: &bytes)
                let received = try await RawTLSConnection.exchange(port: server.localAddress!.port!, send: bytes)

                var decoder = FrameDecoder()
                var input = received
                guard case .preface? = try decoder.decode(buffer: &input) else {
                    Issue.record("no preface from the server")
                    return
                }
                guard case .frame(let frame)? = try decoder.decode(buffer: &input), case .goAway(let goAway) = frame.payload else {
                    Issue.record("no GOAWAY from the server: \(received.readableBytes) bytes, \(received.readableBytesView.map { String($0, radix: 16) })")
                    return
                }
                #expect(goAway.code == .frameSizeError)
                #expect(goAway.reason.contains("exceeds the maximum frame size"))
                #expect(input.readableBytes == 0)

                // The first connection still works, and new ones are accepted.
                #expect(String(buffer: try await client.unary(TestMethods.echo, request: ByteBuffer(string: "after"))) == "after")
                let fresh = try await withTestClient(server) { second in
                    try await second.unary(TestMethods.echo, request: ByteBuffer(string: "new"))
                }
                #expect(String(buffer: fresh) == "new")
            }
        }
    }

    @Test("graceful shutdown: GOAWAY, no new calls, calls in flight finish")
    func gracefulShutdown() async throws {
        let probe = Probe(barrierSize: 2)
        let server = try await RPCServer.bind(
            .tls(host: "127.0.0.1", port: 0, context: RPCFixtures.serverTLS()),
            router: makeTestRouter(probe: probe),
            logger: RPCFixtures.logger
        )
        try await withDeadline(seconds: 30, "graceful shutdown test") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                try await withTestClient(server) { client in
                    try await withThrowingTaskGroup(of: Void.self) { calls in
                        // A call in flight: its handler waits at the barrier.
                        calls.addTask {
                            let reply = try await client.unary(TestMethods.rendezvous, request: ByteBuffer(string: "in flight"))
                            #expect(String(buffer: reply) == "in flight")
                        }
                        try #expect(await probe.next() == .started("in flight"))
                        server.beginGracefulShutdown()
                        // Release the handler: the call finishes although the
                        // server is shutting down.
                        await probe.arriveAndWait()
                        try await calls.waitForAll()
                    }
                    let late = await #expect(throws: RPCError.self) {
                        _ = try await client.unary(TestMethods.echo, request: ByteBuffer(string: "late"))
                    }
                    #expect(late?.code == .unavailable)
                }
                try await group.next()
            }
        }
    }

    @Test("a PING left unanswered closes the connection with GOAWAY TIMEOUT")
    func keepAliveTimeout() async throws {
        var configuration = RPCConnectionConfiguration()
        configuration.connection.keepAliveInterval = .milliseconds(200)
        configuration.connection.keepAliveTimeout = .milliseconds(300)
        let serverConfiguration = configuration
        try await withTestServer(router: makeTestRouter(probe: Probe()), configuration: serverConfiguration) { server in
            // A peer that sends its preface and then nothing, not even a PONG.
            var preface = ByteBuffer()
            Preface().write(to: &preface)
            let received = try await RawTLSConnection.exchange(port: server.localAddress!.port!, send: preface)
            var decoder = FrameDecoder()
            var input = received
            guard case .preface? = try decoder.decode(buffer: &input),
                case .frame(let ping)? = try decoder.decode(buffer: &input),
                case .frame(let goAway)? = try decoder.decode(buffer: &input)
            else {
                Issue.record("expected preface, PING, GOAWAY; got \(received.readableBytes) bytes")
                return
            }
            guard case .ping = ping.payload, case .goAway(let details) = goAway.payload else {
                Issue.record("expected PING then GOAWAY, got \(ping) then \(goAway)")
                return
            }
            #expect(details.code == .timeout)
        }
    }

    @Test("no preface in time: GOAWAY TIMEOUT and close")
    func prefaceTimeout() async throws {
        // The timeout counts from the TCP connect, so a loaded machine can
        // spend all of it on the TLS handshake; the server then rightly
        // closes before it could send anything. Nothing received means just
        // that: try again with a longer timeout.
        for timeout in [1_500, 4_000, 10_000] {
            var configuration = RPCConnectionConfiguration()
            configuration.connection.prefaceTimeout = .milliseconds(Int64(timeout))
            let serverConfiguration = configuration
            let received = try await withTestServer(router: makeTestRouter(probe: Probe()), configuration: serverConfiguration) { server in
                try await RawTLSConnection.exchange(port: server.localAddress!.port!, send: ByteBuffer())
            }
            if received.readableBytes == 0 && timeout < 10_000 { continue }
            var decoder = FrameDecoder()
            var input = received
            guard case .preface? = try decoder.decode(buffer: &input),
                case .frame(let frame)? = try decoder.decode(buffer: &input),
                case .goAway(let goAway) = frame.payload
            else {
                Issue.record("expected preface and GOAWAY; got \(received.readableBytes) bytes")
                return
            }
            #expect(goAway.code == .timeout)
            return
        }
    }

    @Test("cancelling the server stops at once: handlers are cancelled, calls fail UNAVAILABLE")
    func hardStop() async throws {
        let probe = Probe()
        let server = try await RPCServer.bind(
            .tls(host: "127.0.0.1", port: 0, context: RPCFixtures.serverTLS()),
            router: makeTestRouter(probe: probe),
            logger: RPCFixtures.logger
        )
        try await withDeadline(seconds: 30, "hard stop test") {
            try await withThrowingTaskGroup(of: Void.self) { serverTask in
                serverTask.addTask { try await server.run() }
                let client = try await RPCClient.connect(
                    to: .tls(host: "127.0.0.1", port: server.localAddress!.port!, context: RPCFixtures.clientTLS()),
                    logger: RPCFixtures.logger
                )
                try await withThrowingTaskGroup(of: Void.self) { calls in
                    calls.addTask {
                        let error = await #expect(throws: RPCError.self) {
                            _ = try await client.unary(TestMethods.hang, request: ByteBuffer(string: "hard stop"))
                        }
                        #expect(error?.code == .unavailable)
                    }
                    try #expect(await probe.next() == .started("hard stop"))
                    serverTask.cancelAll()
                    try await calls.waitForAll()
                }
                let event = try await probe.next()
                guard case .cancelled("hard stop", let status) = event else {
                    Issue.record("expected the handler to be cancelled, got \(event)")
                    return
                }
                #expect(status == nil || status == .unavailable)
                _ = try? await serverTask.next()
                await client.close()
                #expect(server.connectionCount == 0)
            }
        }
    }

    @Test("over a Unix domain socket: mode 0600, all four shapes, no peer identity")
    func unixDomainSocket() async throws {
        let directory = try TestPKI.temporaryDirectory("kiem-rpc-uds")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("control.sock").path
        try await withTestServer(.unixDomainSocket(path: path), router: makeTestRouter(probe: Probe())) { _ in
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.type] as? FileAttributeType == .typeSocket)
            #expect((attributes[.posixPermissions] as? NSNumber)?.uint16Value == 0o600)

            try await RPCClient.withConnection(to: .unixDomainSocket(path: path), logger: RPCFixtures.logger) { client in
                #expect(client.peer == nil)
                #expect(String(buffer: try await client.unary(TestMethods.whoAmI, request: ByteBuffer())) == "none")
                #expect(String(buffer: try await client.unary(TestMethods.echo, request: ByteBuffer(string: "local"))) == "local")
                let removed = try await client.unary(TestMethods.removePeer, request: removePeerRequest("svb-1:7443"))
                #expect(removed.removed)

                let count = try await client.serverStreaming(TestMethods.count, request: .integers(500, 32)) { responses in
                    try await responses.reduce(0) { total, _ in total + 1 }
                }
                #expect(count == 500)

                var sum = try await client.clientStreaming(TestMethods.sum) { writer in
                    try await writer.write(contentsOf: (1...10 as ClosedRange<UInt32>).map { ByteBuffer.integers($0) })
                }
                #expect(sum.readInteger(as: UInt64.self) == 55)

                let echoed = try await client.bidirectionalStreaming(TestMethods.chat) { writer in
                    for value in 0..<20 as Range<UInt32> {
                        try await writer.write(.integers(value))
                    }
                } responses: { responses in
                    try await responses.reduce(into: [UInt32]()) { values, message in
                        var message = message
                        values.append(message.readInteger(as: UInt32.self)!)
                    }
                }
                #expect(echoed == Array(0..<20))

                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(
                        TestMethods.hang,
                        request: ByteBuffer(string: "uds"),
                        options: RPCCallOptions(timeout: .milliseconds(100))
                    )
                }
                #expect(error?.code == .deadlineExceeded)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

/// A TLS connection with a valid client certificate that writes raw bytes
/// and collects everything the server sends until it closes.
enum RawTLSConnection {
    static func exchange(port: Int, send bytes: ByteBuffer) async throws -> ByteBuffer {
        let tls = try RPCFixtures.clientTLS()
        let collector = ByteCollector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try tls.addHandlers(to: channel)
                    try channel.pipeline.syncOperations.addHandler(ByteCollectingHandler(collector: collector))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        do {
            _ = try await channel.kiemPeerIdentity().get()
        } catch where !channel.isActive {
            // The server may close right after the handshake (a preface
            // timeout counts from the TCP connect, and a loaded machine can
            // spend it on the handshake): what it sent is collected.
            return try await closed(channel, collector)
        }
        if bytes.readableBytes > 0 { try await channel.writeAndFlush(bytes).get() }
        return try await closed(channel, collector)
    }

    private static func closed(_ channel: any Channel, _ collector: ByteCollector) async throws -> ByteBuffer {
        try await withDeadline(seconds: 10, "server closes the raw connection") {
            try await channel.closeFuture.get()
        }
        return collector.bytes
    }

    final class ByteCollector: Sendable {
        private let received = Mutex(ByteBuffer())
        func append(_ buffer: ByteBuffer) {
            var buffer = buffer
            self.received.withLock { _ = $0.writeBuffer(&buffer) }
        }
        var bytes: ByteBuffer { self.received.withLock { $0 } }
    }

    final class ByteCollectingHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let collector: ByteCollector
        init(collector: ByteCollector) { self.collector = collector }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.collector.append(Self.unwrapInboundIn(data))
        }
    }
}
