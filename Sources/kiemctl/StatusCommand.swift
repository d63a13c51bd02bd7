import ArgumentParser
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl status`: the node at a glance.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the node: identity, counts, state digest, version vector and peers.",
        discussion: """
            Two converged replicas show the same digest and version vector. The peer table \
            shows each peer's state (connected, connecting, backoff, failed), when it was last \
            seen and its lag: the ops this node holds that the peer is not known to hold.

            Examples:
              kiemctl status
              kiemctl status --config /etc/kiem/kiemd.toml
              kiemctl status --json | jq -r .digest
            """
    )

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let status = try await control.withControl { control in
            try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
        }
        try control.print(StatusReport(status))
    }
}
