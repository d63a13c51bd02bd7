import ArgumentParser
import KiemClient
import KiemCore
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl initiative phase`.
struct InitiativePhaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase",
        abstract: "Move an initiative your organisation owns to another phase.",
        discussion: """
            Phases: idea, experiment, pilot, proven, scaling, stopped. Stopping needs --lessons: \
            what others can learn from it.

            Examples:
              kiemctl initiative phase $ID pilot
              kiemctl initiative phase $ID stopped --lessons "Te weinig gebruikers"
            """
    )

    @OptionGroup var target: InitiativeTarget

    @Argument(help: "The new phase.")
    var phase: Phase

    @Option(name: .long, help: ArgumentHelp("What was learned (required for stopped).", valueName: "text"))
    var lessons: String?

    @OptionGroup var control: ControlOptions

    func validate() throws {
        if phase == .stopped, (lessons ?? "").allSatisfy(\.isWhitespace) {
            throw ValidationError("phase stopped needs --lessons: what others can learn from it")
        }
        if phase != .stopped, lessons != nil {
            throw ValidationError("--lessons is only for phase stopped")
        }
    }

    func run() async throws {
        let request = Kiem_V1_SetPhaseRequest.with {
            $0.id = target.id
            $0.phase = Kiem_V1_Phase(phase)
            $0.lessonsLearned = lessons ?? ""
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.setPhase, request) }
        try control.print(MutationReport("moved to \(phase)", response))
    }
}
