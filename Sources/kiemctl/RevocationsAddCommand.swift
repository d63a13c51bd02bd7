import ArgumentParser
import Foundation
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl revocations add`.
struct RevocationsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Give the node a revocation file from `kiemctl pki revoke`.",
        discussion: """
            The node checks the CA's signature against its ca.crt (a file that does not verify is \
            refused and changes nothing), stores the revocation, rejects the revoked identity's \
            stored ops written from its time on, closes its connections, and passes the revocation \
            on to its peers. Adding a revocation the node holds changes nothing.
            """
    )

    @Argument(help: ArgumentHelp("The revocation file.", valueName: "file"), completion: .file())
    var file: String

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw KiemctlFailure("cannot read \(file): \(error.localizedDescription)")
        }
        let signed: Kiem_V1_SignedRevocation
        do {
            signed = try RevocationFile.signedRevocation(in: text)
        } catch {
            throw KiemctlFailure("\(file) is not a revocation: \(error)")
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.addRevocation, signed) }
        try control.print(RevocationAddReport(response))
    }
}

/// What `revocations add` prints.
struct RevocationAddReport: CommandOutput {
    var added: Bool
    var revocation: RevocationRow
    var rejectedOps: UInt64
    var closedConnections: UInt64

    init(_ response: Kiem_V1_AddRevocationResponse) {
        added = response.added
        revocation = RevocationRow(response.revocation, receivedMillis: nil, id: nil)
        rejectedOps = response.rejectedOps
        closedConnections = response.closedConnections
    }

    var text: String {
        guard added else { return "the node holds this revocation of \(revocation.subject) already; nothing changed" }
        return """
            revocation of \(revocation.subject) from \(Display.localTime(revocation.revokedAt)) added: \
            \(rejectedOps) stored ops rejected, \(closedConnections) connections closed; it passes on to the peers
            """
    }
}
