import ArgumentParser
import KiemClient
import KiemCore
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative annotate`.
struct InitiativeAnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "File an initiative in your organisation's portfolio: a label, a priority, a note.",
        discussion: """
            The annotation is your organisation's own entry on the initiative: it changes nothing \
            of the owner's, any organisation may write one, and it is what a regie node writes to \
            steer the portfolio (`kiemctl overview --label …` then shows what is filed under a \
            label, and high-priority initiatives are listed apart). Each call replaces your \
            organisation's annotation as a whole; --clear removes it.

            A label is 1 to 40 lowercase letters, digits or '-'. Priorities: low, normal \
            (the default), high.

            Examples:
              kiemctl initiative annotate $ID --label werkagenda-2027 --priority high
              kiemctl initiative annotate $ID --note "Rijksbreed opschalen"
              kiemctl initiative annotate $ID --clear
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Option(name: .long, help: "The portfolio label, e.g. werkagenda-2027.")
    var label: String = ""

    @Option(name: .long, help: "How much it weighs in your portfolio (normal if not given).")
    var priority: Annotation.Priority?

    @Option(name: .long, help: "Why, in a sentence.")
    var note: String = ""

    @Flag(name: .long, help: "Remove your organisation's annotation.")
    var clear = false

    @OptionGroup var control: ControlOptions

    func validate() throws {
        if clear, !label.isEmpty || priority != nil || !note.isEmpty {
            throw ValidationError("--clear takes no --label, --priority or --note")
        }
        if !clear, label.isEmpty, priority == nil, note.isEmpty {
            throw ValidationError("give --label, --priority or --note (or --clear to remove the annotation)")
        }
    }

    func run() async throws {
        let request = Kiem_V1_AnnotateRequest.with {
            $0.id = target.id
            $0.label = label
            $0.priority = Kiem_V1_Priority(priority ?? .normal)
            $0.note = note
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.annotate, request) }
        try control.print(MutationReport(clear ? "cleared the annotation of" : "annotated", response))
    }
}
