import ArgumentParser
import Foundation
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl initiative history`.
struct InitiativeHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every change to an initiative: when, by whom, what (its audit trail).",
        discussion: """
            In causal (HLC) order. A value a later write replaced is marked (superseded).

            Example:
              kiemctl initiative history $ID
            """
    )

    @OptionGroup var target: InitiativeTarget

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let response = try await control.withControl { control in try await control.initiative(target.id, history: true) }
        try control.print(HistoryReport(response))
    }
}

/// What `initiative history` prints.
struct HistoryReport: CommandOutput {
    struct Entry: Encodable, Equatable {
        var time: Date?
        /// The packed HLC value, for ordering.
        var hlc: UInt64
        var author: String
        /// The op, as "node:seq".
        var op: String
        /// "create", "edit", "phase", …
        var kind: String
        /// E.g. "phase: pilot -> proven".
        var description: String
        var superseded: Bool
        var erased: Bool
    }

    var id: String
    var title: String
    var entries: [Entry]

    init(_ response: Kiem_V1_GetInitiativeResponse) {
        id = response.initiative.id
        title = response.initiative.title.value
        entries = response.history.map { entry in
            Entry(time: Display.date(hlc: entry.written.hlc), hlc: entry.written.hlc, author: entry.written.author,
                  op: Display.op(entry.written.op), kind: entry.kind.name ?? "unspecified", description: entry.description_p,
                  superseded: entry.superseded, erased: entry.erased)
        }
    }

    var text: String {
        let table = Table(["TIME", "AUTHOR", "KIND", "DESCRIPTION"], rows: entries.map { entry in
            let notes = [entry.superseded ? "superseded" : nil, entry.erased ? "erased" : nil].compactMap { $0 }
            return [Display.cell(entry.time), entry.author, entry.kind,
                    entry.description + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")]
        })
        return "\(id) \"\(title)\"\n" + table.rendered
    }
}
