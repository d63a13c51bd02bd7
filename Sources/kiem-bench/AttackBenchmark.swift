import ArgumentParser
import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemTestSupport
import KiemTransport
import NIOCore

/// `kiem-bench attack`: the memory a member with a valid certificate can make
/// a node hold (issue 12).
struct AttackBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attack",
        abstract: "One member opens many unread Pull streams with maximal credit; the node's RSS above idle.",
        discussion: """
            The node is a real kiemd process whose store is seeded with the signed corpus. One member (its own \
            certificate) opens --connections connections, each with --streams Pull calls for everything, \
            announcing the largest credit the protocol allows (2^31-1 per stream and per connection), and never \
            reads its sockets. RSS (VmRSS) is sampled every 200 ms until 10 samples in a row set no new peak. \
            The node's [limits] bound what it holds (docs/security.md); target: at most 256 MB above idle.
            """
    )

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Connections the member opens.")
    var connections = 12

    @Option(help: "Pull streams on each connection.")
    var streams = 64

    func run() async throws {
        print("generating \(options.n) initiatives…")
        let corpus = BenchmarkCorpus(initiatives: options.n).ops
        let federation = try BenchFederation(label: "attack")
        defer { federation.remove() }
        let node = try federation.configuration("uwv", "uwv-1", port: try freeLoopbackPort(), metricsPort: try freeLoopbackPort())
        let (signed, certificates) = try federation.signedCorpus(corpus)
        print("seeding the store with \(signed.count) signed ops…")
        try federation.seed(node, with: signed, certificates: certificates)
        let daemon = try federation.startDaemon(node)
        defer { BenchFederation.stop(daemon) }
        try await federation.waitForOps(UInt64(signed.count), of: daemon, node)
        try await Task.sleep(for: .seconds(1))
        let pid = daemon.processIdentifier
        let idle = try UnreadPullClient.residentBytes(of: pid)

        let files = try federation.issue(try OrganisationID("evil"), try NodeID("evil-1"))
        let member = try NodeTLSIdentity.load(privateKeyFile: files.key, certificateChainFile: files.certificate, trustRootsFile: files.ca)
        print("\(connections) connections × \(streams) unread Pull streams…")
        var open: [any Channel] = []
        for _ in 0..<connections {
            if let channel = try await UnreadPullClient.attack(port: node.listen.port, identity: member, streams: streams) {
                open.append(channel)
            }
        }
        var peak = idle
        var samplesSincePeak = 0
        let start = ProcessStatistics.now()
        while samplesSincePeak < 10 {
            let now = try UnreadPullClient.residentBytes(of: pid)
            if now > peak {
                peak = now
                samplesSincePeak = 0
            } else {
                samplesSincePeak += 1
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let settled = ProcessStatistics.now() - start
        for channel in open { try? await channel.close() }
        BenchmarkReport(scenario: "attack", figures: [
            ("initiatives", .int(options.n)),
            ("ops", .int(signed.count)),
            ("connections_opened", .int(connections)),
            ("pull_streams", .int(connections * streams)),
            ("idle_rss_mb", .double(Double(idle) / 1e6)),
            ("peak_rss_mb", .double(Double(peak) / 1e6)),
            ("growth_mb", .double(Double(peak - idle) / 1e6)),
            ("seconds_to_settle", .double(settled)),
            ("target_growth_mb", .double(256)),
        ]).print(json: options.json)
    }
}
