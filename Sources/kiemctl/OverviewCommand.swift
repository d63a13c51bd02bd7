import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl overview`: the portfolio as the regie dashboard shows it.
struct OverviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: "Show the portfolio: by phase, theme and organisation, the funnel, adoption spread, stalled and stopped work, sync health.",
        discussion: """
            Computed from this node's replica, so any node can show it; the regie node serves \
            the same figures on its dashboard. Archived initiatives are left out. An initiative \
            is stalled when neither a progress entry nor a phase change (nor its creation) is \
            newer than --stalled-days and it is not stopped. Portfolio labels and priorities come \
            from annotations (`kiemctl initiative annotate`, what the regie writes): --label keeps \
            the initiatives some organisation files under that label.

            Each list of initiatives (adoption spread, stalled, stopped, lineage, high priority) \
            shows the first --limit (100) and says how many there are; the regie dashboard's CSV \
            export has every initiative. --csv prints the phase counts as rows (all, per theme, per \
            organisation, per label) for a spreadsheet; --json everything above.

            Examples:
              kiemctl overview
              kiemctl overview --theme mpc --org uwv
              kiemctl overview --label werkagenda-2027
              kiemctl overview --since 2026-09-01 --csv > portfolio.csv
            """
    )

    @OptionGroup var control: ControlOptions

    @Option(name: .long, help: ArgumentHelp("Only initiatives changed on or after this day (UTC).", valueName: "YYYY-MM-DD"))
    var since: String?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Only initiatives with this theme (repeatable).", valueName: "theme"))
    var theme: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Only initiatives owned by this organisation (repeatable).", valueName: "org"))
    var org: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Only initiatives filed under this portfolio label (repeatable).", valueName: "label"))
    var label: [String] = []

    @Option(name: .long, help: "Days without movement after which an initiative counts as stalled.")
    var stalledDays: Int = 90

    @Option(name: .long, help: ArgumentHelp("List at most this many initiatives per section (1 to 1000); each says how many there are.", valueName: "n"))
    var limit: Int = 100

    @Flag(name: .long, help: "Print comma-separated phase counts instead of text.")
    var csv = false

    func validate() throws {
        if csv && control.json { throw ValidationError("--csv and --json exclude each other.") }
        guard (1...36_500).contains(stalledDays) else { throw ValidationError("--stalled-days must be between 1 and 36500.") }
        guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000.") }
        if let since, !Self.isDay(since) { throw ValidationError("--since must be a date like 2026-09-01, got '\(since)'.") }
    }

    func run() async throws {
        let request = Kiem_V1_OverviewRequest.with {
            $0.since = since ?? ""
            $0.themes = theme
            $0.owners = org
            $0.labels = label
            $0.stalledAfterDays = UInt32(stalledDays)
            $0.listLimit = UInt32(limit)
        }
        let overview = try await control.withControl { control in
            try await control.call(ControlAPI.overview, request)
        }
        let report = OverviewReport(overview)
        if csv { print(report.csv) } else { try control.print(report) }
    }

    private static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.map(\.count) == [4, 2, 2] && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }
}
