import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative progress`.
struct InitiativeProgressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress",
        abstract: "Add an entry to an initiative's progress log (owner or adopter).",
        discussion: """
            The log is append-only. A metric is name=value with an optional unit after the number.

            Example:
              kiemctl initiative progress $ID --text "Pilot in Utrecht gestart" \\
                  --date 2026-03-01 --metric gesprekken=500 --metric tevredenheid=7.8/10
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Option(name: .long, help: "What happened.")
    var text: String

    @Option(name: .long, help: ArgumentHelp("The day it is about (default: today).", valueName: "YYYY-MM-DD"))
    var date: String?

    @Option(name: .long, help: ArgumentHelp("A measurement; repeat for more.", valueName: "name=value[unit]"),
            transform: MetricArgument.parse)
    var metric: [Kiem_V1_Metric] = []

    @OptionGroup var control: ControlOptions

    func validate() throws {
        if let date, !Self.isCalendarDate(date) {
            throw ValidationError("--date: \"\(date)\" is not a date as YYYY-MM-DD")
        }
    }

    func run() async throws {
        let request = Kiem_V1_LogProgressRequest.with {
            $0.id = target.id
            $0.text = text
            $0.date = date ?? ""
            $0.metrics = metric
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.logProgress, request) }
        try control.print(MutationReport("logged progress on", response))
    }

    /// Whether `text` is YYYY-MM-DD with a month 01–12 and a day 01–31.
    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.map(\.count) == [4, 2, 2], parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
