import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// `grpc-swift2-bench`: the `kiem-bench wire` workloads against grpc-swift 2
/// (grpc-swift-2 2.4.3, grpc-swift-nio-transport 2.9.2: HTTP/2 on SwiftNIO,
/// TLS through swift-nio-ssl) over mutual TLS 1.3 on 127.0.0.1, measured
/// exactly as `deploy/bench/grpc_baseline.py` measures grpcio: the server in
/// a child process (this executable with `--serve`), the client here.
@main
struct GRPCSwift2Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-swift2-bench",
        abstract: "The kiem-bench wire workloads against grpc-swift 2 over mutual TLS 1.3 on loopback.",
        discussion: """
            Streams --messages messages of --size bytes in one server-streaming call (messages/s, MB/s = 10^6 \
            payload bytes per wall second from request to last message), then makes --unary sequential unary \
            calls of --unary-size bytes after --warmup untimed ones (p50/p99 µs). --cert-dir holds ca.crt, \
            server.crt, server.key, client.crt, client.key (PEM). With --json the last line printed is one JSON \
            object with the keys grpc_baseline.py prints.
            """
    )

    @Option(help: "Folder with ca.crt, server.crt, server.key, client.crt, client.key (PEM).")
    var certDir: String

    @Flag(help: "Check the server's chain but not its name (for certificates that name no IP, as Kiem's).")
    var noHostnameVerification = false

    @Option(help: "Messages in the streaming call.")
    var messages = 100_000

    @Option(help: "Bytes per streamed message.")
    var size = 1024

    @Option(help: "Timed sequential unary calls.")
    var unary = 2000

    @Option(help: "Bytes per unary request and reply.")
    var unarySize = 64

    @Option(help: "Untimed unary calls first.")
    var warmup = 200

    @Flag(help: "Run the client's calls and the server's handlers on their event loop (one thread each), as Kiem runs its own.")
    var onEventLoop = false

    @Flag(help: "Print one JSON object as the last line.")
    var json = false

    @Flag(help: .hidden)
    var serve = false

    static let implementation = "grpc-swift 2 (grpc-swift-2 2.4.3, grpc-swift-nio-transport 2.9.2)"

    func run() async throws {
        for file in ["ca.crt", "server.crt", "server.key", "client.crt", "client.key"] {
            guard FileManager.default.isReadableFile(atPath: "\(self.certDir)/\(file)") else {
                throw ValidationError("cannot read \(self.certDir)/\(file)")
            }
        }
        if self.serve {
            try await self.serveUntilInputCloses()
            return
        }

        let server = try await ServerChild(arguments: ["--serve", "--cert-dir", self.certDir] + (self.onEventLoop ? ["--on-event-loop"] : []))
        let figures: BenchMeasurement.Figures
        let tls13: (ok: Bool, detail: String)
        do {
            print("\(Self.implementation) server in a child process on 127.0.0.1:\(server.port), mutual TLS, certs from \(self.certDir)")
            tls13 = await TLS13Check.run(port: server.port, certDirectory: self.certDir, verifyIP: !self.noHostnameVerification)
            print("openssl s_client -tls1_3: \(tls13.detail)")
            print("client without certificate refused: \(try await self.refusesAnonymous(port: server.port) ? "yes" : "NO")")
            let measurement = BenchMeasurement(
                messages: self.messages, size: self.size, unary: self.unary, unarySize: self.unarySize, warmup: self.warmup)
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let transport = try self.clientTransport(port: server.port, mutual: true, eventLoopGroup: self.onEventLoop ? group : nil)
            figures = try await withTaskExecutorPreference(self.onEventLoop ? EventLoopTaskExecutor(group.next()) : nil) {
                try await withGRPCClient(transport: transport) { client in
                    try await measurement.run(client)
                }
            }
            try await group.shutdownGracefully()
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }

        print(
            String(
                format: "stream: %d messages of %d B in %.3f s: %.0f messages/s, %.2f MB/s",
                figures.streamMessages, self.size, figures.streamSeconds, figures.messagesPerSecond, figures.megabytesPerSecond))
        print(
            String(
                format: "unary: %d sequential calls of %d B (after %d warm-up): p50 %.0f µs, p99 %.0f µs",
                self.unary, self.unarySize, self.warmup, figures.unaryP50, figures.unaryP99))
        if self.json {
            let object: [String: Any] = [
                "implementation": Self.implementation,
                "stream_messages": figures.streamMessages,
                "stream_seconds": figures.streamSeconds,
                "stream_messages_per_second": figures.messagesPerSecond,
                "stream_mb_per_second": figures.megabytesPerSecond,
                "unary_calls": self.unary,
                "unary_p50_us": figures.unaryP50,
                "unary_p99_us": figures.unaryP99,
                "tls13_checked": tls13.ok,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// `--serve`: the server on 127.0.0.1, an ephemeral port; prints
    /// `PORT n`, then serves until standard input closes.
    private func serveUntilInputCloses() async throws {
        let security = HTTP2ServerTransport.Posix.TransportSecurity.mTLS(
            certificateChain: [.file(path: "\(self.certDir)/server.crt", format: .pem)],
            privateKey: .file(path: "\(self.certDir)/server.key", format: .pem)
        ) { config in
            config.trustRoots = .certificates([.file(path: "\(self.certDir)/ca.crt", format: .pem)])
        }
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: security,
                eventLoopGroup: self.onEventLoop ? loops : .singletonMultiThreadedEventLoopGroup),
            services: [BenchService()]
        )
        try await withTaskExecutorPreference(self.onEventLoop ? EventLoopTaskExecutor(loops.next()) : nil) {
            try await self.serve(server)
        }
        try await loops.shutdownGracefully()
    }

    private func serve(_ server: GRPCServer<HTTP2ServerTransport.Posix>) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            guard let port = try await server.listeningAddress?.ipv4?.port else {
                throw ValidationError("the server did not bind 127.0.0.1")
            }
            FileHandle.standardOutput.write(Data("PORT \(port)\n".utf8))
            group.addTask {
                await Self.standardInputClosed()
                server.beginGracefulShutdown()
            }
        }
    }

    /// Returns when standard input reaches its end; the blocking read runs
    /// on a thread of its own, never on the cooperative pool.
    private static func standardInputClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 256)
                while read(STDIN_FILENO, &buffer, buffer.count) > 0 {}
                continuation.resume()
            }
        }
    }

    private func clientTransport(port: Int, mutual: Bool, eventLoopGroup: MultiThreadedEventLoopGroup? = nil) throws -> HTTP2ClientTransport.Posix {
        let configure: (inout HTTP2ClientTransport.Posix.TransportSecurity.TLS) -> Void = { config in
            config.trustRoots = .certificates([.file(path: "\(self.certDir)/ca.crt", format: .pem)])
            if self.noHostnameVerification {
                config.serverCertificateVerification = .noHostnameVerification
            }
        }
        let security: HTTP2ClientTransport.Posix.TransportSecurity =
            mutual
            ? .mTLS(
                certificateChain: [.file(path: "\(self.certDir)/client.crt", format: .pem)],
                privateKey: .file(path: "\(self.certDir)/client.key", format: .pem),
                configure: configure)
            : .tls(configure: configure)
        return try .http2NIOPosix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: security,
            eventLoopGroup: eventLoopGroup ?? .singletonMultiThreadedEventLoopGroup)
    }

    /// A client without a certificate must not get a call through.
    private func refusesAnonymous(port: Int) async throws -> Bool {
        try await withGRPCClient(transport: try self.clientTransport(port: port, mutual: false)) { client in
            var options = CallOptions.defaults
            options.timeout = .seconds(5)
            do {
                _ = try await client.unary(
                    request: ClientRequest(message: [UInt8]("anonymous".utf8)), descriptor: BenchService.unary,
                    serializer: RawBytes(), deserializer: RawBytes(), options: options
                ) { try $0.message }
                return false
            } catch {
                return true
            }
        }
    }
}
