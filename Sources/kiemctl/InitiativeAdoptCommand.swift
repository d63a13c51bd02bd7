import ArgumentParser
import KiemClient
import KiemCore
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative adopt`.
struct InitiativeAdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Record your organisation's adoption of another organisation's initiative.",
        discussion: """
            Statuses: exploring, piloting, adopted, dropped. --fork also creates an initiative \
            of your own, derived from this one (title, summary and themes copied), for your \
            version of it; both ids are printed.

            Examples:
              kiemctl initiative adopt $ID --status exploring --note "Verkenning bij Zorg"
              kiemctl initiative adopt $ID --status piloting --fork
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Option(name: .long, help: "How far your organisation has taken it up.")
    var status: AdoptionStatus

    @Option(name: .long, help: "A note, e.g. where it is piloted.")
    var note: String = ""

    @Flag(name: .long, help: "Also create your own initiative derived from this one.")
    var fork = false

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let request = Kiem_V1_AdoptRequest.with {
            $0.id = target.id
            $0.status = Kiem_V1_AdoptionStatus(status)
            $0.note = note
        }
        let action = "\(status) with"
        guard fork else {
            let response = try await control.withControl { control in try await control.call(ControlAPI.adopt, request) }
            return try control.print(MutationReport(action, response))
        }
        let report = try await control.withControl { control in
            let adopted = try await control.call(ControlAPI.adopt, request)
            let original = adopted.initiative
            let forked = try await control.call(ControlAPI.createInitiative, Kiem_V1_CreateInitiativeRequest.with {
                $0.title = original.title.value
                $0.summary = original.summary.value
                $0.themes = original.themes
                $0.derivedFrom = original.id
            })
            return ForkReport(adoption: MutationReport(action, adopted), fork: MutationReport("forked as", forked))
        }
        try control.print(report)
    }
}

/// What `adopt --fork` prints: the adoption and the new initiative.
struct ForkReport: CommandOutput {
    var adoption: MutationReport
    var fork: MutationReport

    var text: String { adoption.text + "\n" + fork.text + ", derived from \(adoption.initiative.id)" }
}
