import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative endorse`.
struct InitiativeEndorseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endorse",
        abstract: "Endorse an initiative as your organisation, or withdraw the endorsement.",
        discussion: """
            Examples:
              kiemctl initiative endorse $ID --note "Bewezen bij ons"
              kiemctl initiative endorse $ID --withdraw
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Flag(name: .long, help: "Withdraw an earlier endorsement.")
    var withdraw = false

    @Option(name: .long, help: "Why, in a sentence.")
    var note: String = ""

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let request = Kiem_V1_EndorseRequest.with {
            $0.id = target.id
            $0.endorsed = !withdraw
            $0.note = note
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.endorse, request) }
        try control.print(MutationReport(withdraw ? "withdrew the endorsement of" : "endorsed", response))
    }
}
