import ArgumentParser

/// `kiem-bench`: Kiem's benchmark scenarios. Each prints its figures and, with
/// `--json`, one JSON object as the last line; BENCHMARKS.md records them.
@main
struct KiemBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiem-bench",
        abstract: "Measure Kiem against baselines taken in the same run.",
        discussion: "Build with -c release: `swift run -c release kiem-bench apply`. Figures go to BENCHMARKS.md.",
        subcommands: [
            ApplyBenchmark.self, MergeBenchmark.self, WireBenchmark.self, CatchupBenchmark.self, PropagationBenchmark.self,
            DeltaBenchmark.self, IdleBenchmark.self, OverviewBenchmark.self, AttackBenchmark.self,
        ]
    )
}
