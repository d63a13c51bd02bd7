import ArgumentParser
import KiemClient
import KiemNode
import KiemProtocol
import KiemTransport

/// `kiemctl doctor`: checks a node end to end and says what to fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the node: configuration, key, certificates, disk, database, control socket and peers.",
        discussion: """
            One line per check, ok, warn or fail, each with what to do. Run it as the user kiemd \
            runs as, on the node's machine. Exit status 0 when nothing failed (warnings allowed), 1 \
            otherwise. The configuration is --config, else /etc/kiem/kiemd.toml.

            Examples:
              sudo -u kiem kiemctl doctor
              kiemctl doctor --config /srv/kiem/kiemd.toml --json
            """
    )

    /// The configuration read when `--config` is not given.
    static let defaultConfiguration = "/etc/kiem/kiemd.toml"

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let file = control.config ?? Self.defaultConfiguration
        let (configuration, configured) = DoctorChecks.configuration(file: file)
        var findings = [configured]
        if let configuration {
            findings += [
                DoctorChecks.keyPermissions(path: configuration.tls.key),
                DoctorChecks.certificate("certificate", path: configuration.tls.certificate),
                DoctorChecks.certificate("CA certificate", path: configuration.tls.ca),
                DoctorChecks.diskSpace(path: configuration.dataDirectory),
                DoctorChecks.database(path: configuration.storePath),
            ]
        }
        var options = control
        options.config = file
        let socket = (try? options.socketPath()) ?? ControlOptions.defaultSocket
        let status: Result<StatusReport, any Error>
        do {
            status = .success(StatusReport(try await options.withControl { client in
                try await client.call(ControlAPI.status, Kiem_V1_StatusRequest())
            }))
        } catch {
            status = .failure(error)
        }
        findings += DoctorChecks.node(socket: socket, status: status)
        let report = DoctorReport(findings)
        try control.print(report)
        if !report.healthy { throw ExitCode(1) }
    }
}
