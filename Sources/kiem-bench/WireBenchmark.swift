import ArgumentParser
import Foundation
import KiemCore
import KiemProtocol
import KiemTestSupport
import KiemTransport
import KiemWire
import Logging
import NIOCore
import NIOPosix

/// `kiem-bench wire`: the RPC transport over mutual TLS 1.3 on loopback,
/// against grpcio and grpc-swift 2 measured in the same run with the same
/// process layout (each server in a child process of its own, the client in
/// the measuring process).
struct WireBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Stream messages and make sequential unary calls over mutual TLS 1.3 on loopback; compare with grpcio and grpc-swift 2.",
        discussion: """
            Streams --messages messages of --size bytes in one server-streaming call (messages/s, MB/s = 10^6 payload \
            bytes per wall second from request to last message), then makes --unary sequential unary calls of \
            --unary-size bytes after --warmup untimed ones (p50/p99 µs). The server runs in a child process (this \
            executable with --serve), unless --in-process. Then runs deploy/bench/grpc_baseline.py (Python grpcio, \
            C++ core) and deploy/bench/grpc-swift2 (grpc-swift 2, built apart: see deploy/bench/README.md) with the \
            same workload and layout, and prints the ratios. Targets: at least 5x grpcio's messages/s and 2x \
            grpc-swift 2's, at most 0.5x either's unary p99.
            """
    )

    @OptionGroup var options: BenchmarkOptions

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

    @Flag(help: "Client and server in this process (the layout before issue 13), on --event-loops threads.")
    var inProcess = false

    @Option(help: "With --in-process: event loop threads, 1 (client and server share one) or 2 (one each).")
    var eventLoops = 1

    @Option(help: "The gRPC baseline script.")
    var baselineScript = "deploy/bench/grpc_baseline.py"

    @Flag(inversion: .prefixedNo, help: "Run the grpcio baseline.")
    var baseline = true

    @Option(help: "The grpc-swift 2 anchor, built with `swift build -c release` in deploy/bench/grpc-swift2.")
    var grpcSwift2Executable = "deploy/bench/grpc-swift2/.build/release/grpc-swift2-bench"

    @Flag(name: .customLong("grpc-swift2"), inversion: .prefixedNo, help: "Run the grpc-swift 2 anchor.")
    var grpcSwift2 = true

    @Option(help: .hidden)
    var serveDirectory: String?

    func run() async throws {
        if let serveDirectory {
            try await Self.serve(directory: serveDirectory)
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiem-bench-wire-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (serverIdentity, clientIdentity) = try Self.writeCertificates(to: directory.path)
        print("certificates: a throwaway federation CA and two nodes written to \(directory.path) by the PKI module")

        let ours = try await self.inProcess
            ? self.measureInProcess(server: serverIdentity, client: clientIdentity)
            : self.measureAgainstServerChild(directory: directory.path, client: clientIdentity)
        print(
            String(
                format: "kiem: stream %d messages of %d B in %.3f s: %.0f messages/s, %.2f MB/s; unary %d calls: p50 %.0f µs, p99 %.0f µs",
                ours.streamMessages, self.size, ours.streamSeconds, ours.messagesPerSecond, ours.megabytesPerSecond,
                self.unary, ours.unaryP50, ours.unaryP99
            )
        )

        var figures: [(String, BenchmarkReport.Figure)] = [
            ("transport", .text(self.inProcess
                ? "kiem RPC over mutual TLS 1.3, client and server in one process"
                : "kiem RPC over mutual TLS 1.3, server in a child process")),
            ("event_loop_threads", .int(self.inProcess && self.eventLoops < 2 ? 1 : 2)),
            ("stream_messages", .int(ours.streamMessages)),
            ("message_bytes", .int(self.size)),
            ("stream_seconds", .double(ours.streamSeconds)),
            ("stream_messages_per_second", .double(ours.messagesPerSecond)),
            ("stream_mb_per_second", .double(ours.megabytesPerSecond)),
            ("unary_calls", .int(self.unary)),
            ("unary_p50_us", .double(ours.unaryP50)),
            ("unary_p99_us", .double(ours.unaryP99)),
            ("cpu_seconds", .double(ours.cpuSeconds)),
            ("peak_rss_mb", .double(Double(ProcessStatistics.peakResidentBytes()) / 1e6)),
        ]
        if let server = ours.server {
            figures += [
                ("server_cpu_seconds", .double(server.cpuSeconds)),
                ("server_peak_rss_mb", .double(server.peakRSSMegabytes)),
            ]
        }

        let workload = self.anchorWorkload
        let grpcio = self.baseline ? await Self.runGRPCIO(script: self.baselineScript, workload: workload) : nil
        figures += Self.compare(ours, with: grpcio, key: "grpcio", streamTarget: 5, p99Target: 0.5)
        let swift2 = self.grpcSwift2
            ? await Self.runGRPCSwift2(executable: self.grpcSwift2Executable, certificates: directory.path, workload: workload) : nil
        figures += Self.compare(ours, with: swift2, key: "grpc_swift2", streamTarget: 2, p99Target: 0.5)
        BenchmarkReport(scenario: "wire", figures: figures).print(json: self.options.json)
    }

    // MARK: - Our side

    struct Figures: Sendable {
        var streamMessages: Int
        var streamSeconds: Double
        var messagesPerSecond: Double
        var megabytesPerSecond: Double
        var unaryP50: Double
        var unaryP99: Double
        /// This process's CPU over the measurement.
        var cpuSeconds: Double
        /// The server child's CPU over the measurement and its peak RSS.
        var server: (cpuSeconds: Double, peakRSSMegabytes: Double)?
    }

    /// Client and server in this process: on one shared event loop thread
    /// (a call then crosses no thread at all), or on one event loop each.
    private func measureInProcess(server serverIdentity: NodeTLSIdentity, client clientIdentity: NodeTLSIdentity) async throws -> Figures {
        let logger = Self.logger
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = self.eventLoops >= 2 ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : serverGroup
        defer {
            serverGroup.shutdownGracefully { _ in }
            if self.eventLoops >= 2 {
                clientGroup.shutdownGracefully { _ in }
            }
        }
        let server = try await RPCServer.bind(
            .tls(host: "127.0.0.1", port: 0, context: try Self.tlsContext(.server, serverIdentity)),
            router: Self.router(),
            eventLoopGroup: serverGroup,
            logger: logger
        )
        let port = server.localAddress?.port ?? 0
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer {
                server.beginGracefulShutdown()
            }
            return try await self.measure(port: port, client: clientIdentity, eventLoopGroup: clientGroup)
        }
    }

    /// The server in a child process (`kiem-bench wire --serve-directory`),
    /// as the anchors run theirs; the client here on an event loop of its own.
    private func measureAgainstServerChild(directory: String, client clientIdentity: NodeTLSIdentity) async throws -> Figures {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let child = try ChildProcess(executable, ["wire", "--serve-directory", directory], input: Data())
        defer { child.signal(SIGKILL) }
        try await withDeadline(seconds: 30, "the kiem server child to print its port") {
            await child.wait { child.stdout.contains("\n") || child.hasExited }
        }
        guard let line = child.stdout.split(separator: "\n").first(where: { $0.hasPrefix("PORT ") }), let port = Int(line.dropFirst(5)) else {
            throw ValidationError("the kiem server child did not start: \(child.outcome)")
        }
        print("kiem server in a child process (pid \(child.processIdentifier)) on 127.0.0.1:\(port)")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let serverCPU = ProcessStatistics.cpuSeconds(pid: child.processIdentifier)
        var figures = try await self.measure(port: port, client: clientIdentity, eventLoopGroup: group)
        figures.server = (
            ProcessStatistics.cpuSeconds(pid: child.processIdentifier) - serverCPU,
            Double(ProcessStatistics.statusBytes(pid: child.processIdentifier, field: "VmHWM")) / 1e6
        )
        child.signal(SIGTERM)
        _ = try? await child.finished(seconds: 10)
        return figures
    }

    /// `--serve-directory DIR`: a server with `DIR/server`'s identity on
    /// 127.0.0.1, an ephemeral port, one event loop thread; prints `PORT n`
    /// and serves until it is signalled to stop.
    private static func serve(directory: String) async throws {
        let identity = try NodeTLSIdentity.load(directory: directory + "/server")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let server = try await RPCServer.bind(
            .tls(host: "127.0.0.1", port: 0, context: try Self.tlsContext(.server, identity)),
            router: Self.router(),
            eventLoopGroup: group,
            logger: Self.logger
        )
        FileHandle.standardOutput.write(Data("PORT \(server.localAddress?.port ?? 0)\n".utf8))
        try await server.run()
    }

    private static var logger: Logger {
        var logger = Logger(label: "kiem.bench.wire")
        logger.logLevel = .warning
        return logger
    }

    private static func tlsContext(_ role: KiemTLSContext.Role, _ identity: NodeTLSIdentity) throws -> KiemTLSContext {
        try KiemTLSContext(role: role, identity: identity, applicationProtocols: [RPCServer.applicationProtocol], logger: Self.logger)
    }

    /// Connects to the server on `port` and measures; the measuring loop
    /// runs on the client's event loop, as a busy caller of the transport would.
    private func measure(port: Int, client identity: NodeTLSIdentity, eventLoopGroup: MultiThreadedEventLoopGroup) async throws -> Figures {
        try await RPCClient.withConnection(
            to: .tls(host: "127.0.0.1", port: port, context: try Self.tlsContext(.client, identity)),
            eventLoopGroup: eventLoopGroup,
            logger: Self.logger
        ) { client in
            try await withTaskExecutorPreference(client.eventLoopExecutor) {
                try await self.measure(client)
            }
        }
    }

    static let streamMethod = RPCMethod.raw(MethodDescriptor(service: "kiem.bench.Bench", method: "Stream", kind: .serverStreaming))
    static let unaryMethod = RPCMethod.raw(MethodDescriptor(service: "kiem.bench.Bench", method: "Unary", kind: .unary))

    /// The same two methods as the gRPC baseline: echo, and `count` messages
    /// of `size` bytes for a request of u64 count, u32 size.
    private static func router() -> RPCRouter {
        var router = RPCRouter()
        router.unary(Self.unaryMethod) { request, _ in request }
        router.serverStreaming(Self.streamMethod) { request, writer, _ in
            var request = request
            guard let (count, size) = request.readMultipleIntegers(as: (UInt64, UInt32).self) else {
                throw RPCError(code: .invalidArgument, message: "request is u64 count, u32 size")
            }
            let payload = ByteBuffer(repeating: 0, count: Int(size))  // one buffer, sent `count` times
            for _ in 0..<count {
                try await writer.write(payload)
            }
        }
        return router
    }

    private func measure(_ client: RPCClient) async throws -> Figures {
        let cpuStart = ProcessStatistics.cpuSeconds()
        var unaryPayload = ByteBuffer()
        unaryPayload.writeBytes((0..<self.unarySize).map { _ in UInt8.random(in: 0...255) })

        // Warm up: handshake done; one short stream and the unary path.
        for _ in 0..<self.warmup {
            _ = try await client.unary(Self.unaryMethod, request: unaryPayload)
        }
        _ = try await self.stream(client, count: min(1000, self.messages))

        let (seconds, received) = try await self.stream(client, count: self.messages)

        var latencies: [Double] = []
        latencies.reserveCapacity(self.unary)
        let clock = ContinuousClock()
        for _ in 0..<self.unary {
            let start = clock.now
            let reply = try await client.unary(Self.unaryMethod, request: unaryPayload)
            let elapsed = clock.now - start
            latencies.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            guard reply == unaryPayload else {
                throw ValidationError("unary echo mismatch")
            }
        }
        latencies.sort()
        return Figures(
            streamMessages: received,
            streamSeconds: seconds,
            messagesPerSecond: Double(received) / seconds,
            megabytesPerSecond: Double(received * self.size) / seconds / 1e6,
            unaryP50: Self.percentile(latencies, 50),
            unaryP99: Self.percentile(latencies, 99),
            cpuSeconds: ProcessStatistics.cpuSeconds() - cpuStart,
            server: nil
        )
    }

    private func stream(_ client: RPCClient, count: Int) async throws -> (seconds: Double, messages: Int) {
        var request = ByteBuffer()
        request.writeMultipleIntegers(UInt64(count), UInt32(self.size))
        let start = ProcessStatistics.now()
        let (received, bytes) = try await client.serverStreaming(Self.streamMethod, request: request) { responses in
            var received = 0
            var bytes = 0
            for try await message in responses {
                received += 1
                bytes += message.readableBytes
            }
            return (received, bytes)
        }
        let seconds = ProcessStatistics.now() - start
        guard received == count, bytes == count * self.size else {
            throw ValidationError("stream returned \(received) messages, \(bytes) bytes; expected \(count) x \(self.size)")
        }
        return (seconds, received)
    }

    /// Nearest-rank percentile of an ascending list (as the baseline computes it).
    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = max(1, Int((Double(sorted.count) * p / 100).rounded(.up)))
        return sorted[rank - 1]
    }

    /// A CA and two node folders, written as `kiemctl pki` writes them.
    private static func writeCertificates(to directory: String) throws -> (server: NodeTLSIdentity, client: NodeTLSIdentity) {
        let now = Date()
        let caDirectory = directory + "/ca"
        _ = try FederationPKI.initCA(directory: caDirectory, name: "kiem-bench federation", validityDays: 2, force: false, now: now)
        var identities: [NodeTLSIdentity] = []
        for (organisation, node) in [("bench", "server"), ("bench", "client")] {
            let out = directory + "/" + node
            _ = try FederationPKI.issue(
                caDirectory: caDirectory,
                organisation: try OrganisationID(organisation),
                node: try NodeID(node),
                oin: nil,
                validityDays: 1,
                outDirectory: out,
                force: false,
                now: now
            )
            identities.append(try NodeTLSIdentity.load(directory: out))
        }
        return (identities[0], identities[1])
    }
}
