import ArgumentParser
import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemStore
import Logging

/// `kiem-bench delta`: two nodes that share the corpus reconnect after a few
/// changes; how many bytes cross the wire compared with the changed ops.
struct DeltaBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delta",
        abstract: "Two nodes share N initiatives; K change while they are apart; bytes on the wire at reconnect vs. the changed ops.",
        discussion: """
            Both stores are seeded with the same signed corpus. B is connected to A, then stopped; A changes the \
            summary of K initiatives it owns; B is opened again and the loopback interface's byte counter is read \
            from then until B holds the last change (TLS handshake, prefaces, version vectors and the ops, both \
            directions). The changed ops' size is their canonical bytes plus their proofs (32-byte chain, 64-byte \
            signature). Target: wire bytes <= 1.5 x that + 4 KiB.
            """
    )

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Initiatives changed while apart.")
    var changed = 100

    func run() async throws {
        print("generating \(options.n) initiatives…")
        let corpus = BenchmarkCorpus(initiatives: options.n).ops
        let federation = try BenchFederation(label: "delta")
        defer { federation.remove() }
        let logger = Logger(label: "kiem-bench") { _ in SwiftLogNoOpLogHandler() }
        let aConfiguration = try federation.configuration("uwv", "uwv-1")
        let (signed, certificates) = try federation.signedCorpus(corpus)
        let owned = Array(Set(corpus.filter { $0.author.rawValue == "uwv" }.map(\.initiative)).sorted().prefix(changed))
        guard owned.count == changed else { throw BenchError("the corpus has only \(owned.count) initiatives of uwv") }
        print("seeding both stores with \(signed.count) signed ops…")
        try federation.seed(aConfiguration, with: signed, certificates: certificates)
        let a = try await KiemNode.open(aConfiguration, logger: logger)
        let bConfiguration = try federation.configuration(
            "svb", "svb-9", peers: [.init(address: .init(host: "127.0.0.1", port: a.listenPort!), organisation: a.configuration.organisation,
                                          node: a.configuration.node)])
        try federation.seed(bConfiguration, with: signed, certificates: certificates)

        let (bytes, changedBytes) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.run() }
            let b = try await KiemNode.open(bConfiguration, logger: logger)
            group.addTask { try await b.run() }
            // Connected once, then apart.
            let probe = try await a.write(.setText(.contact, "innovatie@uwv.nl"), to: owned[0])
            await b.waitUntil(holds: probe.id)
            b.shutdown()
            await b.waitUntilStopped()

            var last = probe
            for (index, id) in owned.enumerated() {
                last = try await a.write(.setText(.summary, "Bijgewerkt terwijl svb-9 offline was (\(index))"), to: id)
            }
            // The changed ops: A's own after the one B saw.
            var seen = a.versionVector.entries
            seen[a.configuration.node] = probe.id.seq
            var cursor = try a.store.missingOps(for: VersionVector(seen))
            var changedBytes = 0
            while let batch = try cursor.nextEncoded() {
                changedBytes += batch.reduce(0) { $0 + $1.canonical.count + 32 + 64 }
            }

            let before = ProcessStatistics.loopbackBytes()
            let reopened = try await KiemNode.open(bConfiguration, logger: logger)
            group.addTask { try await reopened.run() }
            await reopened.waitUntil(holds: last.id)
            let bytes = ProcessStatistics.loopbackBytes() - before
            guard try reopened.digest() == a.digest() else { throw BenchError("the nodes did not converge") }
            group.cancelAll()
            return (bytes, changedBytes)
        }
        let limit = 1.5 * Double(changedBytes) + 4096
        BenchmarkReport(scenario: "delta", figures: [
            ("initiatives", .int(options.n)),
            ("changed_ops", .int(changed)),
            ("changed_op_bytes", .int(changedBytes)),
            ("wire_bytes", .int(bytes)),
            ("ratio", .double(Double(bytes) / Double(changedBytes))),
            ("target_bytes", .int(Int(limit))),
            ("met", .text(Double(bytes) <= limit ? "yes" : "no")),
        ]).print(json: options.json)
    }
}
