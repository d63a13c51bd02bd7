import ArgumentParser
import KiemCore

/// `kiem-bench merge`: the corpus applied to an in-memory replica, no SQLite.
struct MergeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Apply the corpus to an in-memory KiemCore replica and report ops/s.",
        discussion: "Target: at least 230,000 ops/s (Yrs, the Rust Yjs, applying small map updates on a comparable machine)."
    )

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Ops per apply call.")
    var batch = 1_000

    func run() {
        print("generating \(options.n) initiatives…")
        let corpus = BenchmarkCorpus(initiatives: options.n)
        let ops = corpus.ops
        var replica = Replica()
        let start = ProcessStatistics.now()
        let startCPU = ProcessStatistics.cpuSeconds()
        var index = 0
        while index < ops.count {
            let end = min(index + batch, ops.count)
            replica.apply(ops[index..<end])
            index = end
        }
        let seconds = ProcessStatistics.now() - start
        let cpuSeconds = ProcessStatistics.cpuSeconds() - startCPU
        let opsPerSecond = Double(ops.count) / seconds
        let report = BenchmarkReport(scenario: "merge", figures: [
            ("initiatives", .int(replica.initiatives.count)),
            ("ops", .int(ops.count)),
            ("seconds", .double(seconds)),
            ("cpu_seconds", .double(cpuSeconds)),
            ("ops_per_second", .double(opsPerSecond)),
            ("ops_per_cpu_second", .double(Double(ops.count) / cpuSeconds)),
            ("target_ops_per_second", .int(230_000)),
            ("peak_rss_mb", .double(Double(ProcessStatistics.peakResidentBytes()) / 1e6)),
        ])
        report.print(json: options.json)
    }
}
