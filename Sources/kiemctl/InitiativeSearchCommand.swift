import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl initiative search`.
struct InitiativeSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the titles, summaries and descriptions of initiatives, best match first.",
        discussion: """
            Every word must match, as the start of a word: "werkzoek" finds "werkzoekenden".

            Examples:
              kiemctl initiative search chatbot
              kiemctl initiative search "digitale brief" --owner svb
            """
    )

    @Argument(help: "Words to search for.")
    var text: String

    @OptionGroup var filters: InitiativeFilterOptions

    @OptionGroup var control: ControlOptions

    func validate() throws {
        guard !text.allSatisfy(\.isWhitespace) else { throw ValidationError("give some words to search for") }
    }

    func run() async throws {
        let request = filters.request(text: text)
        let response = try await control.withControl { control in try await control.call(ControlAPI.queryInitiatives, request) }
        try control.print(InitiativeList(response))
    }
}
