import ArgumentParser
import KiemClient
import KiemConfiguration
import KiemProtocol
import KiemTransport
import Logging

/// `kiemctl doctor`: checks a node end to end and says what to fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the node: configuration, key, certificates, disk, database, control socket and peers.",
        discussion: """
            One line per check, ok, warn or fail, each with what to do. Run it as the user kiemd \
            runs as, on the node's machine. Exit status 0 when nothing failed (warnings allowed), 1 \
            otherwise. The configuration is --config, else /etc/kiem/kiemd.toml.

            Each peer gets a fresh TLS handshake with the node's own certificate, as kiemd \
            dials it: the peer must prove the organisation and node the configuration \
            expects, and its clock may be at most 1 minute off (warn) or 5 minutes (fail: \
            its ops would be refused).

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
        let status: Result<Kiem_V1_StatusResponse, any Error>
        do {
            status = .success(try await options.withControl { client in
                try await client.call(ControlAPI.status, Kiem_V1_StatusRequest())
            })
        } catch {
            status = .failure(error)
        }
        findings += DoctorChecks.node(socket: socket, status: status.map { StatusReport($0) })
        let links = (try? status.get())?.peers.map(PeerReport.init) ?? []
        if let configuration {
            findings += await peerFindings(configuration, vector: (try? status.get())?.versionVector ?? .init(), links: links)
        }
        let report = DoctorReport(findings)
        try control.print(report)
        if !report.healthy { throw ExitCode(1) }
    }

    /// A fresh TLS handshake with every peer, judged with kiemd's own view
    /// of its links (`links`).
    private func peerFindings(
        _ configuration: NodeConfiguration, vector: Kiem_V1_VersionVector, links: [PeerReport]
    ) async -> [DoctorFinding] {
        let peers = DoctorChecks.peersToProbe(configured: configuration.peers, links: links)
        guard !peers.isEmpty else { return DoctorChecks.peers([], links: links) }
        let probe: PeerProbe
        do {
            probe = try PeerProbe(configuration: configuration, vector: vector,
                                  logger: Logger(label: "kiem.doctor", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch {
            return [.fail("peers", "cannot dial them with this node's TLS files: \(error)",
                          fix: "fix the key and certificates first (the lines above)")]
        }
        return DoctorChecks.peers(Array(zip(peers, await probe.probe(peers))), links: links)
    }
}
