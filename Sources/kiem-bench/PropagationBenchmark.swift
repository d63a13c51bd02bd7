import ArgumentParser
import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import Logging

/// `kiem-bench propagation`: how long a write on one node takes to become
/// visible on its peer.
struct PropagationBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propagation",
        abstract: "N writes on node A, one after another; time from each write's start until B holds it (p50/p99).",
        discussion: """
            Two nodes in this process with their own store files (WAL, synchronous = FULL), B connected to A over \
            mutual TLS on loopback. Each sample covers A's durable write (sign, one transaction, fsync), the push, \
            B's verification and its own durable apply. Target: p99 < 10 ms.
            """
    )

    @Option(help: "Number of writes.")
    var n = 1_000

    @Flag(help: "Print one JSON object with the figures as the last line.")
    var json = false

    func run() async throws {
        let federation = try BenchFederation(label: "propagation")
        defer { federation.remove() }
        let logger = Logger(label: "kiem-bench") { _ in SwiftLogNoOpLogHandler() }
        let a = try await KiemNode.open(try federation.configuration("uwv", "uwv-1"), logger: logger)
        let b = try await KiemNode.open(try federation.configuration(
            "svb", "svb-1", peers: [.init(address: .init(host: "127.0.0.1", port: a.listenPort!), organisation: a.configuration.organisation,
                                          node: a.configuration.node)]), logger: logger)
        let samples = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.run() }
            group.addTask { try await b.run() }
            let id = try await a.create(InitiativeDraft(title: "Propagatie", summary: "meting"))
            await b.waitUntil(holds: OpID(origin: a.configuration.node, seq: 1))
            var samples: [Double] = []
            samples.reserveCapacity(n)
            for index in 0..<n {
                let start = ProcessStatistics.now()
                let op = try await a.write(.setText(.summary, "stand \(index)"), to: id)
                await b.waitUntil(holds: op.id)
                samples.append(ProcessStatistics.now() - start)
            }
            group.cancelAll()
            return samples
        }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        BenchmarkReport(scenario: "propagation", figures: [
            ("writes", .int(n)),
            ("p50_ms", .double(percentile(0.50) * 1000)),
            ("p90_ms", .double(percentile(0.90) * 1000)),
            ("p99_ms", .double(percentile(0.99) * 1000)),
            ("max_ms", .double(sorted.last! * 1000)),
            ("target_p99_ms", .double(10)),
        ]).print(json: json)
    }
}
