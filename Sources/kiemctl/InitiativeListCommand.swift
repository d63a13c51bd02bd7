import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl initiative list`.
struct InitiativeListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List initiatives, most recently changed first.",
        discussion: """
            Examples:
              kiemctl initiative list
              kiemctl initiative list --phase proven --theme ai
              kiemctl initiative list --adopted-by svb --json | jq -r '.initiatives[].title'
            """
    )

    @OptionGroup var filters: InitiativeFilterOptions

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let request = filters.request()
        let response = try await control.withControl { control in try await control.call(ControlAPI.queryInitiatives, request) }
        try control.print(InitiativeList(response))
    }
}
