import ArgumentParser
import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemTestSupport
import KiemStore

/// `kiem-bench catchup`: a fresh `kiemd` pulls the whole corpus from another
/// `kiemd` over mutual TLS, against the bare bulk insert of the same ops.
struct CatchupBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catchup",
        abstract: "A fresh kiemd pulls N initiatives (about 5N ops) from a peer kiemd over TLS; compare with a bare bulk insert.",
        discussion: """
            Both nodes are real kiemd processes (build them with -c release next to kiem-bench). The source's store \
            is seeded first with the corpus of `apply` (four origins, each op with its hash chain, heads signed \
            every 500 ops of an origin and on its last), so the fresh node verifies everything it applies. Timed \
            from starting the fresh daemon until its /metrics reports every op. Bytes on the wire: the loopback \
            interface's counter over the same span (TLS records, frames, and /metrics polls every 50 ms). The \
            baseline is the `apply` scenario's bare bulk insert of the same op rows, measured in the same run. \
            Target: ratio <= 2.0.
            """
    )

    @OptionGroup var options: BenchmarkOptions

    func run() async throws {
        print("generating \(options.n) initiatives…")
        let corpus = BenchmarkCorpus(initiatives: options.n).ops
        let federation = try BenchFederation(label: "catchup")
        defer { federation.remove() }

        print("baseline: bare bulk insert…")
        let rows = corpus.map(ApplyBenchmark.BaselineRow.init)
        let baselineSeconds = try ApplyBenchmark.baselineInsert(rows, batch: 5_000, path: federation.root + "/baseline.sqlite")

        print("seeding the source's store with signed ops…")
        let sourcePort = try freeLoopbackPort()
        let source = try federation.configuration("uwv", "uwv-1", port: sourcePort, metricsPort: try freeLoopbackPort())
        let (signed, certificates) = try federation.signedCorpus(corpus)
        try federation.seed(source, with: signed, certificates: certificates)
        let total = UInt64(signed.count)
        let wireOps = signed.reduce(0) { $0 + $1.canonical.count + 32 } // canonical + chain, before signatures

        let sourceProcess = try federation.startDaemon(source)
        defer { BenchFederation.stop(sourceProcess) }
        try await federation.waitForOps(total, of: sourceProcess, source)

        let freshMetrics = try freeLoopbackPort()
        let fresh = try federation.configuration(
            "regie", "regie-1", port: try freeLoopbackPort(),
            peers: [.init(address: source.listen, organisation: source.organisation, node: source.node)],
            metricsPort: freshMetrics)
        print("catch-up: a fresh kiemd pulls \(total) ops…")
        let bytesBefore = ProcessStatistics.loopbackBytes()
        let sourceCPUBefore = ProcessStatistics.cpuSeconds(pid: sourceProcess.processIdentifier)
        let start = ProcessStatistics.now()
        let freshProcess = try federation.startDaemon(fresh)
        defer { BenchFederation.stop(freshProcess) }
        try await federation.waitForOps(total, of: freshProcess, fresh, interval: .milliseconds(50))
        let seconds = ProcessStatistics.now() - start
        let bytes = ProcessStatistics.loopbackBytes() - bytesBefore
        // How busy the two cores were: CPU seconds of each daemon over the
        // catch-up (the fresh one's from its start).
        let freshCPU = ProcessStatistics.cpuSeconds(pid: freshProcess.processIdentifier)
        let sourceCPU = ProcessStatistics.cpuSeconds(pid: sourceProcess.processIdentifier) - sourceCPUBefore
        let freshPeak = ProcessStatistics.statusBytes(pid: freshProcess.processIdentifier, field: "VmHWM")
        let sourcePeak = ProcessStatistics.statusBytes(pid: sourceProcess.processIdentifier, field: "VmHWM")

        BenchmarkReport(scenario: "catchup", figures: [
            ("initiatives", .int(options.n)),
            ("ops", .int(Int(total))),
            ("seconds", .double(seconds)),
            ("ops_per_second", .double(Double(total) / seconds)),
            ("wire_bytes", .int(bytes)),
            ("op_bytes", .int(wireOps)),
            ("baseline_seconds", .double(baselineSeconds)),
            ("ratio", .double(seconds / baselineSeconds)),
            ("target_ratio", .double(2.0)),
            ("fresh_cpu_seconds", .double(freshCPU)),
            ("source_cpu_seconds", .double(sourceCPU)),
            ("fresh_peak_rss_mb", .double(Double(freshPeak) / 1e6)),
            ("source_peak_rss_mb", .double(Double(sourcePeak) / 1e6)),
        ]).print(json: options.json)
    }
}
