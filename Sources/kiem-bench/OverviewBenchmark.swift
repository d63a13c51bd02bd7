import ArgumentParser
import Foundation
import KiemCore
import KiemStore
import KiemTestSupport

/// `kiem-bench overview`: the regie overview computed over portfolio entries
/// already in memory.
struct OverviewBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: "Compute the regie overview of N generated portfolio entries and report the median time.",
        discussion: """
            Times Overview.compute alone, over entries already in memory; then the path the \
            Control API and the dashboard take on a real store: the first portfolio() read (kept \
            in memory), and portfolio() plus the computation after each batch of 1,000 changed \
            initiatives. Target: under 200 ms for 100,000 initiatives.
            """
    )

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Timed runs after one warm-up; the median is reported.")
    var runs = 9

    @Option(help: "Seed of the generated portfolio.")
    var seed: UInt64 = 6

    func run() throws {
        print("generating \(options.n) portfolio entries…")
        let now: UInt64 = 1_796_126_400_000
        let entries = Self.portfolio(count: options.n, now: now, seed: seed)
        var overview = Overview.compute(entries, now: now)
        var milliseconds: [Double] = []
        var cpuMilliseconds: [Double] = []
        for _ in 0..<max(runs, 1) {
            let start = ProcessStatistics.now()
            let startCPU = ProcessStatistics.cpuSeconds()
            let computed = Overview.compute(entries, now: now)
            milliseconds.append((ProcessStatistics.now() - start) * 1_000)
            cpuMilliseconds.append((ProcessStatistics.cpuSeconds() - startCPU) * 1_000)
            overview = computed
        }
        milliseconds.sort()
        cpuMilliseconds.sort()
        let fromStore = try timeFromStore()
        let report = BenchmarkReport(scenario: "overview", figures: [
            ("entries", .int(entries.count)),
            ("covered", .int(overview.total)),
            ("stalled", .int(overview.stalled.count)),
            ("adoption_spread", .int(overview.adoptionSpread.count)),
            ("lineage_trees", .int(overview.lineage.count)),
            ("runs", .int(milliseconds.count)),
            ("median_ms", .double(milliseconds[milliseconds.count / 2])),
            ("median_cpu_ms", .double(cpuMilliseconds[cpuMilliseconds.count / 2])),
            ("min_ms", .double(milliseconds[0])),
            ("max_ms", .double(milliseconds[milliseconds.count - 1])),
            ("store_initiatives", .int(fromStore.initiatives)),
            ("store_first_read_ms", .double(fromStore.firstReadMilliseconds)),
            ("store_changed_per_run", .int(fromStore.changed)),
            ("store_read_median_ms", .double(fromStore.readMilliseconds)),
            ("store_overview_median_ms", .double(fromStore.totalMilliseconds)),
            ("target_ms", .int(200)),
            ("peak_rss_mb", .double(Double(ProcessStatistics.peakResidentBytes()) / 1e6)),
        ])
        report.print(json: options.json)
    }

    /// What the whole path of the Control API's `Overview` costs on a real
    /// store.
    struct StoreFigures {
        var initiatives = 0
        /// The first `portfolio()`: one scan of the column, kept in memory.
        var firstReadMilliseconds = 0.0
        /// Medians of the later runs, each after `changed` initiatives were
        /// changed: `portfolio()` (re-reading those) and that plus the compute.
        var changed = 0
        var readMilliseconds = 0.0
        var totalMilliseconds = 0.0
    }

    /// N initiatives of the apply benchmark's corpus (about 5 ops each)
    /// applied into a fresh store (not timed); then the first
    /// `portfolio()`, and `runs` times (after a warm-up): a batch annotating
    /// 1,000 other initiatives applied (not timed), `portfolio()` and the
    /// overview computed from it.
    private func timeFromStore() throws -> StoreFigures {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiem-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try KiemStore.open(path: folder + "/store.sqlite")
        defer { try? store.close() }
        let ops = BenchmarkCorpus(initiatives: options.n).ops.map { EncodedOp($0) }
        print("store: applying \(ops.count) ops of \(options.n) initiatives (not timed)…")
        for start in stride(from: 0, to: ops.count, by: 5_000) {
            try store.apply(Array(ops[start..<min(start + 5_000, ops.count)]))
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        var figures = StoreFigures(changed: 1_000)
        let start = ProcessStatistics.now()
        let ids = try store.portfolio().map(\.id).sorted()
        figures.firstReadMilliseconds = (ProcessStatistics.now() - start) * 1_000
        var regie = SimulatedNode("regie-1", organisation: "regie")
        var reads: [Double] = []
        var totals: [Double] = []
        for run in 0...max(runs, 1) {
            let slice = ids.dropFirst(run * figures.changed).prefix(figures.changed)
            try store.apply(slice.map { regie.annotate($0, Annotation(label: "run-\(run)", priority: .high)) })
            let start = ProcessStatistics.now()
            let entries = try store.portfolio()
            let read = ProcessStatistics.now()
            figures.initiatives = Overview.compute(entries, now: now).total
            guard run > 0 else { continue }
            reads.append((read - start) * 1_000)
            totals.append((ProcessStatistics.now() - start) * 1_000)
        }
        figures.readMilliseconds = reads.sorted()[reads.count / 2]
        figures.totalMilliseconds = totals.sorted()[totals.count / 2]
        return figures
    }

    private static let organisations = [
        "uwv", "svb", "belastingdienst", "rijkswaterstaat", "duo", "cbs", "kadaster", "rvo", "ind", "cjib",
        "rdw", "logius", "dji", "coa", "kvk", "nza", "afm", "politie", "defensie", "knmi",
    ].map { try! OrganisationID($0) }
    private static let themes = [
        "ai", "mpc", "robotica", "inkoop", "data", "dienstverlening", "cloud", "duurzaamheid", "privacy", "sensoren",
    ]
    /// Phases with their share in percent: many ideas, few scaling, a fair
    /// number stopped.
    private static let phases: [(Phase, Int)] = [
        (.idea, 30), (.experiment, 22), (.pilot, 18), (.proven, 10), (.scaling, 6), (.stopped, 14),
    ]

    /// `count` entries created over the three years before `now`, oldest
    /// first: 1–3 themes, adoptions by up to five other organisations on two
    /// in five, endorsements, one in twelve derived from an older one, 70 %
    /// with progress, 3 % archived.
    static func portfolio(count: Int, now: UInt64, seed: UInt64) -> [PortfolioEntry] {
        var random = SeededGenerator(seed: seed)
        let span: UInt64 = 3 * 365 * 86_400_000
        var entries: [PortfolioEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let created = now - span + span * UInt64(index) / UInt64(max(count, 1))
            func later(than time: UInt64) -> HLCTimestamp {
                HLCTimestamp(wallMillis: UInt64.random(in: time...now, using: &random), logical: 0)
            }
            let owner = organisations.randomElement(using: &random)!
            let others = organisations.filter { $0 != owner }.shuffled(using: &random)
            let phase = pickPhase(Int.random(in: 0..<100, using: &random))
            let adopters = Bool.random(using: &random) && Int.random(in: 0..<5, using: &random) < 4
                ? Int.random(in: 1...5, using: &random) : 0
            let phaseChange = later(than: created)
            let progress = Int.random(in: 0..<10, using: &random) < 7 ? later(than: phaseChange.wallMillis) : nil
            entries.append(PortfolioEntry(
                id: InitiativeID(timestamp: HLCTimestamp(wallMillis: created, logical: 0), nodeHash: random.next()),
                owner: owner, title: "Initiatief \(index)", phase: phase,
                lessonsLearned: phase == .stopped ? "Geleerd bij initiatief \(index)" : nil,
                themes: Array(themes.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random))).sorted(),
                adoptions: Dictionary(uniqueKeysWithValues: others.prefix(adopters).map {
                    ($0, AdoptionStatus.allCases.randomElement(using: &random)!)
                }),
                endorsers: others.suffix(Int.random(in: 0...3, using: &random)).sorted(),
                derivedFrom: index > 0 && Int.random(in: 0..<12, using: &random) == 0
                    ? entries[Int.random(in: 0..<index, using: &random)].id : nil,
                createdAt: HLCTimestamp(wallMillis: created, logical: 0), lastPhaseChange: phaseChange,
                lastProgress: progress, lastChanged: later(than: max(phaseChange, progress ?? .zero).wallMillis),
                isArchived: Int.random(in: 0..<100, using: &random) < 3
            ))
        }
        return entries
    }

    private static func pickPhase(_ percentile: Int) -> Phase {
        var below = 0
        for (phase, share) in phases {
            below += share
            if percentile < below { return phase }
        }
        return .idea
    }
}
