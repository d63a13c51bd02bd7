import ArgumentParser

/// Options every scenario takes.
struct BenchmarkOptions: ParsableArguments {
    @Option(help: "Number of initiatives (about 5 ops and 1 KiB each).")
    var n = 100_000

    @Flag(help: "Print one JSON object with the figures as the last line.")
    var json = false
}
