import ArgumentParser
import Foundation
import KiemClient
import KiemConfiguration
import KiemCore
import KiemNode
import KiemTestSupport
import KiemProtocol
import KiemTransport
import KiemWire
import Logging
import SwiftProtobuf

/// `kiem-bench idle`: what a loaded node costs while nothing happens.
struct IdleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "A kiemd with N initiatives and P connected peers sits idle; its CPU % and RSS.",
        discussion: """
            The node is a real kiemd process whose store is seeded with the signed corpus. Each peer is a \
            federation member with its own certificate that does what an up-to-date peer link does: Handshake, \
            then a live Subscribe (holding everything already) and an open Push stream, kept open through the \
            measurement. CPU seconds come from /proc/<pid>/stat over --seconds of wall time after a settling \
            second; RSS is VmRSS at the end, and again after one Control Overview (which keeps the \
            portfolio in memory). Targets: < 1 % CPU and < 150 MB.
            """
    )

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Connected peers.")
    var peers = 10

    @Option(help: "Seconds to measure.")
    var seconds = 60.0

    func run() async throws {
        print("generating \(options.n) initiatives…")
        let corpus = BenchmarkCorpus(initiatives: options.n).ops
        let federation = try BenchFederation(label: "idle")
        defer { federation.remove() }
        let metricsPort = try freeLoopbackPort()
        let node = try federation.configuration("uwv", "uwv-1", port: try freeLoopbackPort(), metricsPort: metricsPort)
        let (signed, certificates) = try federation.signedCorpus(corpus)
        print("seeding the store with \(signed.count) signed ops…")
        try federation.seed(node, with: signed, certificates: certificates)
        var vector = VersionVector()
        for op in corpus { vector.advance(op.origin, to: op.id.seq) }
        let have = vector.proto

        let daemon = try federation.startDaemon(node)
        defer { BenchFederation.stop(daemon) }
        try await federation.waitForOps(UInt64(signed.count), of: daemon, node)

        let logger = Logger(label: "kiem-bench") { _ in SwiftLogNoOpLogHandler() }
        let identities = try (1...peers).map { index -> KiemTLSContext in
            let files = try federation.issue(try OrganisationID("peer"), try NodeID("peer-\(index)"))
            let identity = try NodeTLSIdentity.load(privateKeyFile: files.key, certificateChainFile: files.certificate, trustRootsFile: files.ca)
            return try KiemTLSContext(role: .client, identity: identity, applicationProtocols: [RPCServer.applicationProtocol], logger: logger)
        }
        print("\(peers) peers connected; measuring \(Int(seconds)) s of idle…")
        let (cpu, wall) = try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, tls) in identities.enumerated() {
                group.addTask {
                    try await RPCClient.withConnection(
                        to: .tls(host: "127.0.0.1", port: node.listen.port, context: tls), logger: logger
                    ) { client in
                        _ = try await client.unary(SyncAPI.handshake, request: Kiem_V1_HandshakeRequest.with {
                            $0.nodeID = "peer-\(index + 1)"
                            $0.organisation = "peer"
                            $0.versionVector = have
                        })
                        try await withThrowingTaskGroup(of: Void.self) { streams in
                            streams.addTask {
                                try await client.serverStreaming(Self.subscribe, request: Kiem_V1_SubscribeRequest.with { $0.have = have }) { batches in
                                    for try await _ in batches {}
                                }
                            }
                            streams.addTask {
                                _ = try await client.clientStreaming(Self.push) { _ in
                                    try await Task.sleep(for: .seconds(86_400))
                                }
                            }
                            try await streams.next()
                        }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            let cpuBefore = ProcessStatistics.cpuSeconds(pid: daemon.processIdentifier)
            let start = ProcessStatistics.now()
            try await Task.sleep(for: .seconds(seconds))
            let result = (ProcessStatistics.cpuSeconds(pid: daemon.processIdentifier) - cpuBefore, ProcessStatistics.now() - start)
            group.cancelAll()
            return result
        }
        let rss = ProcessStatistics.statusBytes(pid: daemon.processIdentifier, field: "VmRSS")
        let peak = ProcessStatistics.statusBytes(pid: daemon.processIdentifier, field: "VmHWM")
        // What the regie's overview costs in memory: the portfolio kept once read.
        let overview = try await ControlClient.withConnection(socket: node.controlSocketPath) { control in
            try await control.call(ControlAPI.overview, Kiem_V1_OverviewRequest())
        }
        guard overview.total == UInt64(options.n) else {
            throw ValidationError("the overview covers \(overview.total) initiatives, not \(options.n)")
        }
        let rssWithPortfolio = ProcessStatistics.statusBytes(pid: daemon.processIdentifier, field: "VmRSS")
        BenchmarkReport(scenario: "idle", figures: [
            ("initiatives", .int(options.n)),
            ("ops", .int(signed.count)),
            ("peers", .int(peers)),
            ("seconds", .double(wall)),
            ("cpu_seconds", .double(cpu)),
            ("cpu_percent", .double(cpu / wall * 100)),
            ("rss_mb", .double(Double(rss) / 1e6)),
            ("peak_rss_mb", .double(Double(peak) / 1e6)),
            ("rss_after_overview_mb", .double(Double(rssWithPortfolio) / 1e6)),
            ("target_cpu_percent", .double(1)),
            ("target_rss_mb", .double(150)),
        ]).print(json: options.json)
    }

    static let subscribe = RPCMethod<Kiem_V1_SubscribeRequest, Kiem_V1_OpBatch>(MethodDescriptor.Sync.subscribe)
    static let push = RPCMethod<Kiem_V1_OpBatch, Kiem_V1_PushAck>(MethodDescriptor.Sync.push)
}
