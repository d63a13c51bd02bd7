import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl initiative show`.
struct InitiativeShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one initiative: fields, adopters, endorsements, lineage and progress.",
        discussion: """
            A field written concurrently on two nodes shows both values ("(concurrent: … by svb)") \
            until a later write settles it. Lineage shows the initiative this one was derived from \
            and those derived from it.

            Example:
              kiemctl initiative show $ID
            """
    )

    @OptionGroup var target: InitiativeTarget

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let detail = try await control.withControl { control in
            let response = try await control.initiative(target.id)
            let initiative = response.initiative
            let parent = initiative.derivedFrom.isEmpty ? nil : try await control.initiativeIfHeld(initiative.derivedFrom)
            return InitiativeDetail(initiative, parent: parent, derived: response.derived)
        }
        try control.print(detail)
    }
}
