import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative edit`.
struct InitiativeEditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change the text, themes or links of an initiative your organisation owns.",
        discussion: """
            Only the fields given change; each change is one op. When two nodes of the owner \
            edit the same field at the same time, `initiative show` shows both values until a \
            later edit settles it.

            Example:
              kiemctl initiative edit $ID --summary "Nu ook voor de WIA" \\
                  --add-theme wia --remove-link https://example.nl/oud.pdf
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Option(name: .long, help: "A new title.")
    var title: String?

    @OptionGroup var text: InitiativeTextOptions

    @Option(name: .long, help: ArgumentHelp("A theme to add; repeat for more.", valueName: "theme"))
    var addTheme: [String] = []

    @Option(name: .long, help: ArgumentHelp("A theme to remove; repeat for more.", valueName: "theme"))
    var removeTheme: [String] = []

    @Option(name: .long, help: ArgumentHelp("A link to add, optionally with a title after a space.", valueName: "url [title]"),
            transform: LinkArgument.parse)
    var addLink: [Kiem_V1_Link] = []

    @Option(name: .long, help: ArgumentHelp("The URL of a link to remove.", valueName: "url"))
    var removeLink: [String] = []

    @OptionGroup var control: ControlOptions

    func validate() throws {
        guard title != nil || !text.isEmpty || !addTheme.isEmpty || !removeTheme.isEmpty || !addLink.isEmpty || !removeLink.isEmpty else {
            throw ValidationError("nothing to change: give --title, --summary, --description, --contact, --funding or a theme or link option")
        }
    }

    func run() async throws {
        let request = Kiem_V1_EditInitiativeRequest.with { request in
            request.id = target.id
            if let title { request.title = title }
            if let summary = text.summary { request.summary = summary }
            if let description = text.description { request.description_p = description }
            if let contact = text.contact { request.contact = contact }
            if let funding = text.funding { request.funding = funding }
            request.addThemes = addTheme
            request.removeThemes = removeTheme
            request.addLinks = addLink
            request.removeLinkUrls = removeLink
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.editInitiative, request) }
        try control.print(MutationReport("edited", response))
    }
}
