import ArgumentParser
import KiemClient
import KiemCore
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative create`.
struct InitiativeCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Record a new initiative, owned by this node's organisation.",
        discussion: """
            Prints the new initiative's id. --derived-from records lineage: the initiative \
            this one was started from (see also `initiative adopt --fork`).

            Example:
              kiemctl initiative create --title "Chatbot voor werkzoekenden" \\
                  --summary "Een chatbot die vragen over de WW beantwoordt" \\
                  --theme ai --theme dienstverlening --phase experiment \\
                  --link "https://example.nl/evaluatie.pdf Evaluatie"
            """
    )

    @Option(name: .long, help: "The title (required).")
    var title: String

    @OptionGroup var text: InitiativeTextOptions

    @Option(name: .long, help: ArgumentHelp("A theme; repeat for more.", valueName: "theme"))
    var theme: [String] = []

    @Option(name: .long, help: "The phase to start in (default idea).")
    var phase: Phase?

    @Option(name: .long, help: ArgumentHelp("A link, optionally with a title after a space; repeat for more.", valueName: "url [title]"),
            transform: LinkArgument.parse)
    var link: [Kiem_V1_Link] = []

    @Option(name: .long, help: ArgumentHelp("The initiative this one was started from.", valueName: "id"))
    var derivedFrom: String?

    @OptionGroup var control: ControlOptions

    func validate() throws {
        if let derivedFrom { try InitiativeTarget.check(derivedFrom) }
        if phase == .stopped { throw ValidationError("a new initiative cannot start as stopped") }
    }

    func run() async throws {
        let request = Kiem_V1_CreateInitiativeRequest.with {
            $0.title = title
            $0.summary = text.summary ?? ""
            $0.description_p = text.description ?? ""
            $0.contact = text.contact ?? ""
            $0.funding = text.funding ?? ""
            $0.phase = phase.map(Kiem_V1_Phase.init) ?? .unspecified
            $0.themes = theme
            $0.links = link
            $0.derivedFrom = derivedFrom ?? ""
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.createInitiative, request) }
        try control.print(MutationReport("created", response))
    }
}
