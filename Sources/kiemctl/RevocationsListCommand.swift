import ArgumentParser
import Foundation
import KiemClient
import KiemProtocol
import KiemTransport

/// `kiemctl revocations list`.
struct RevocationsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the revocations the node holds."
    )

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let response = try await control.withControl { control in
            try await control.call(ControlAPI.listRevocations, Kiem_V1_ListRevocationsRequest())
        }
        try control.print(RevocationList(revocations: response.revocations.map {
            RevocationRow($0.revocation, receivedMillis: $0.receivedMillis, id: $0.id)
        }))
    }
}

/// One revocation as kiemctl shows it.
struct RevocationRow: Encodable {
    var organisation: String
    /// Nil when the whole organisation is revoked.
    var node: String?
    var reason: String
    var revokedAt: Date
    var issuedAt: Date
    var receivedAt: Date?
    var id: String?

    init(_ message: Kiem_V1_Revocation, receivedMillis: UInt64?, id: String?) {
        organisation = message.organisation
        node = message.node.isEmpty ? nil : message.node
        reason = message.reason
        revokedAt = Display.date(millis: message.revokedAtMillis) ?? Date(timeIntervalSince1970: 0)
        issuedAt = Display.date(millis: message.issuedAtMillis) ?? Date(timeIntervalSince1970: 0)
        receivedAt = receivedMillis.flatMap(Display.date(millis:))
        self.id = id
    }

    /// "node uwv-1 of uwv" or "organisation uwv (every node)".
    var subject: String { node.map { "node \($0) of \(organisation)" } ?? "organisation \(organisation) (every node)" }
}

/// What `revocations list` prints.
struct RevocationList: CommandOutput {
    var revocations: [RevocationRow]

    var text: String {
        guard !revocations.isEmpty else { return "no revocations" }
        return Table(["REVOKED", "FROM", "REASON", "RECEIVED", "ID"], rows: revocations.map { row in
            [row.subject, Display.localTime(row.revokedAt), row.reason, Display.cell(row.receivedAt), String((row.id ?? "").prefix(12))]
        }).rendered
    }
}
