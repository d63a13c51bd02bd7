import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative archive`.
struct InitiativeArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive an initiative your organisation owns (hidden from lists), or restore it.",
        discussion: """
            Archived initiatives stay in every replica; `initiative list --archived` shows them.

            Examples:
              kiemctl initiative archive $ID
              kiemctl initiative archive $ID --restore
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Flag(name: .long, help: "Restore an archived initiative.")
    var restore = false

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let request = Kiem_V1_ArchiveRequest.with {
            $0.id = target.id
            $0.archived = !restore
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.archive, request) }
        try control.print(MutationReport(restore ? "restored" : "archived", response))
    }
}
