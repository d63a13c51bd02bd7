import ArgumentParser
import Foundation
import KiemCore
import KiemProtocol
import KiemTransport
import Logging
import NIOCore
import NIOPosix

/// `kiem-bench wire`: the RPC transport over mutual TLS 1.3 on loopback,
/// client and server in this process, against grpcio measured in the same run.
struct WireBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Stream messages and make sequential unary calls over mutual TLS 1.3 on loopback; compare with grpcio.",
        discussion: """
            Streams --messages messages of --size bytes in one server-streaming call (messages/s, MB/s = 10^6 payload \
            bytes per wall second from request to last message), then makes --unary sequential unary calls of \
            --unary-size bytes after --warmup untimed ones (p50/p99 µs). Then runs deploy/bench/grpc_baseline.py \
            (Python grpcio, C++ core) with the same workload and prints the ratios. Targets: at least 5x grpcio's \
            messages/s, at most 0.5x its unary p99.
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

    @Option(help: "Event loop threads: 1 (client and server share one) or 2 (one each).")
    var eventLoops = 1

    @Option(help: "The gRPC baseline script.")
    var baselineScript = "deploy/bench/grpc_baseline.py"

    @Flag(inversion: .prefixedNo, help: "Run the gRPC baseline.")
    var baseline = true

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiem-bench-wire-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (serverIdentity, clientIdentity) = try Self.writeCertificates(to: directory.path)
        print("certificates: a throwaway federation CA and two nodes written to \(directory.path) by the PKI module")

        var logger = Logger(label: "kiem.bench.wire")
        logger.logLevel = .warning
        let serverTLS = try KiemTLSContext(
            role: .server,
            identity: serverIdentity,
            applicationProtocols: [RPCServer.applicationProtocol],
            logger: logger
        )
        let clientTLS = try KiemTLSContext(
            role: .client,
            identity: clientIdentity,
            applicationProtocols: [RPCServer.applicationProtocol],
            logger: logger
        )

        // Client and server in this process: on one shared event loop
        // thread (the default: a call then crosses no thread at all), or on
        // one event loop each (like the baseline's two processes).
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = self.eventLoops >= 2 ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : serverGroup
        defer {
            serverGroup.shutdownGracefully { _ in }
            if self.eventLoops >= 2 {
                clientGroup.shutdownGracefully { _ in }
            }
        }
        let server = try await RPCServer.bind(
            .tls(host: "127.0.0.1", port: 0, context: serverTLS),
            router: Self.router(),
            eventLoopGroup: serverGroup,
            logger: logger
        )
        let port = server.localAddress?.port ?? 0
        let ours = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer {
                server.beginGracefulShutdown()
            }
            return try await RPCClient.withConnection(
                to: .tls(host: "127.0.0.1", port: port, context: clientTLS),
                eventLoopGroup: clientGroup,
                logger: logger
            ) { client in
                // The measuring loop itself runs on the client's event loop,
                // as a busy caller of the transport would.
                try await withTaskExecutorPreference(client.eventLoopExecutor) {
                    try await self.measure(client)
                }
            }
        }

        print(
            String(
                format: "kiem: stream %d messages of %d B in %.3f s: %.0f messages/s, %.2f MB/s; unary %d calls: p50 %.0f µs, p99 %.0f µs",
                ours.streamMessages, self.size, ours.streamSeconds, ours.messagesPerSecond, ours.megabytesPerSecond,
                self.unary, ours.unaryP50, ours.unaryP99
            )
        )

        var figures: [(String, BenchmarkReport.Figure)] = [
            ("transport", .text("kiem RPC over mutual TLS 1.3, client and server in one process")),
            ("event_loop_threads", .int(self.eventLoops >= 2 ? 2 : 1)),
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

        if let grpc = self.baseline ? Self.runBaseline(script: self.baselineScript, messages: self.messages, size: self.size, unary: self.unary, unarySize: self.unarySize, warmup: self.warmup) : nil {
            let streamRatio = ours.messagesPerSecond / grpc.messagesPerSecond
            let p99Ratio = ours.unaryP99 / grpc.unaryP99
            figures += [
                ("baseline", .text(grpc.implementation)),
                ("baseline_certificates", .text("generated by grpc_baseline.py (the PKI module issues no IP SANs)")),
                ("baseline_tls13_checked", .text(grpc.tls13Checked ? "true" : "false")),
                ("baseline_stream_messages_per_second", .double(grpc.messagesPerSecond)),
                ("baseline_stream_mb_per_second", .double(grpc.megabytesPerSecond)),
                ("baseline_unary_p50_us", .double(grpc.unaryP50)),
                ("baseline_unary_p99_us", .double(grpc.unaryP99)),
                ("stream_ratio", .double(streamRatio)),
                ("stream_ratio_target_min", .double(5)),
                ("unary_p99_ratio", .double(p99Ratio)),
                ("unary_p99_ratio_target_max", .double(0.5)),
                ("targets_met", .text(streamRatio >= 5 && p99Ratio <= 0.5 ? "true" : "false")),
            ]
            print(String(format: "ratios: streaming %.2fx grpcio (target >= 5), unary p99 %.2fx grpcio (target <= 0.5)", streamRatio, p99Ratio))
        } else {
            figures.append(("baseline", .text("unavailable")))
        }
        BenchmarkReport(scenario: "wire", figures: figures).print(json: self.options.json)
    }

    // MARK: - Our side

    private struct Figures: Sendable {
        var streamMessages: Int
        var streamSeconds: Double
        var messagesPerSecond: Double
        var megabytesPerSecond: Double
        var unaryP50: Double
        var unaryP99: Double
        var cpuSeconds: Double
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
            cpuSeconds: ProcessStatistics.cpuSeconds() - cpuStart
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

    // MARK: - The gRPC baseline

    private struct Baseline {
        var implementation: String
        var messagesPerSecond: Double
        var megabytesPerSecond: Double
        var unaryP50: Double
        var unaryP99: Double
        var tls13Checked: Bool
    }

    /// Runs grpc_baseline.py; `nil` (with a note on why) if it cannot run.
    private static func runBaseline(script: String, messages: Int, size: Int, unary: Int, unarySize: Int, warmup: Int) -> Baseline? {
        guard FileManager.default.fileExists(atPath: script) else {
            print("note: gRPC baseline unavailable: \(script) not found (run from the repository root)")
            return nil
        }
        guard let python = Self.findExecutable("python3") else {
            print("note: gRPC baseline unavailable: python3 not found")
            return nil
        }
        if Self.run(python, ["-c", "import grpc, cryptography"]).status != 0 {
            let requirements = (script as NSString).deletingLastPathComponent + "/requirements.txt"
            print("grpcio missing: pip install -r \(requirements)")
            let install = Self.run(python, ["-m", "pip", "install", "--quiet", "-r", requirements])
            if install.status != 0 || Self.run(python, ["-c", "import grpc, cryptography"]).status != 0 {
                print("note: gRPC baseline unavailable: grpcio could not be installed:\n\(install.output.suffix(2000))")
                return nil
            }
        }
        // The PKI module issues node certificates named by a Kiem URN only; the
        // baseline's server certificate needs SAN IP 127.0.0.1, so the script
        // makes its own throwaway P-256 CA (same key type and TLS 1.3 suite).
        print("grpc baseline: \(python) \(script) --json (its own throwaway P-256 certificates: ours carry no IP SAN)")
        let result = Self.run(
            python,
            [script, "--json", "--messages", "\(messages)", "--size", "\(size)", "--unary", "\(unary)",
             "--unary-size", "\(unarySize)", "--warmup", "\(warmup)"]
        )
        let lines = result.output.split(separator: "\n").map(String.init)
        for line in lines.dropLast() {
            print("  grpc: \(line)")
        }
        guard result.status == 0, let last = lines.last,
            let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
            let mps = (object["stream_messages_per_second"] as? NSNumber)?.doubleValue,
            let p99 = (object["unary_p99_us"] as? NSNumber)?.doubleValue
        else {
            print("note: gRPC baseline unavailable: the script failed (exit \(result.status)): \(lines.last ?? "")")
            return nil
        }
        return Baseline(
            implementation: object["implementation"] as? String ?? "grpcio",
            messagesPerSecond: mps,
            megabytesPerSecond: (object["stream_mb_per_second"] as? NSNumber)?.doubleValue ?? 0,
            unaryP50: (object["unary_p50_us"] as? NSNumber)?.doubleValue ?? 0,
            unaryP99: p99,
            tls13Checked: (object["tls13_checked"] as? Bool) ?? false
        )
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    private static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (-1, "\(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
