import ArgumentParser
import Foundation
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
            reads its sockets. Once the node's TCP send queue to the member is backed up, the peak is the \
            kernel's high-water mark of its RSS (VmHWM). \
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
        let start = ProcessStatistics.now()
        try await UnreadPullClient.waitUntilBackedUp(port: node.listen.port)
        let backedUp = ProcessStatistics.now() - start
        let peak = try UnreadPullClient.peakResidentBytes(of: pid)
        for channel in open { try? await channel.close() }
        BenchmarkReport(scenario: "attack", figures: [
            ("initiatives", .int(options.n)),
            ("ops", .int(signed.count)),
            ("connections_opened", .int(connections)),
            ("pull_streams", .int(connections * streams)),
            ("idle_rss_mb", .double(Double(idle) / 1e6)),
            ("peak_rss_mb", .double(Double(peak) / 1e6)),
            ("growth_mb", .double(Double(peak - idle) / 1e6)),
            ("seconds_until_backed_up", .double(backedUp)),
            ("target_growth_mb", .double(256)),
        ]).print(json: options.json)
    }
}
