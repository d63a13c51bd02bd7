import ArgumentParser
import Foundation
import KiemCore
import KiemTransport
import X509

/// `kiemctl pki issue`: issue a node certificate from the federation CA.
struct PKIIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a node certificate (node.key, node.crt, ca.crt).",
        discussion: """
            Generates a P-256 key for the node and a certificate signed by the \
            CA in --ca, and writes a self-contained node folder: OUT/node.key \
            (mode 0600), OUT/node.crt and a copy of the CA certificate as \
            OUT/ca.crt.

            The certificate names the node in its Subject (O=<org>, \
            CN=<node>, serialNumber=<OIN>) and in the SAN URI \
            urn:kiem:org:<org>:node:<node>; it is valid for TLS server and \
            client authentication.

            Without --oin a test OIN is derived from the organisation \
            ("99999" followed by 15 digits from a hash of the org). That is for \
            test federations only: a production federation uses the \
            organisation's real OIN.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Folder holding the CA's ca.key and ca.crt.", valueName: "dir"))
    var ca: String

    @Option(name: .long, help: ArgumentHelp("Organisation id: lowercase slug, 2-32 characters, e.g. uwv.", valueName: "org"))
    var org: String

    @Option(name: .long, help: ArgumentHelp("Node id: lowercase slug, 2-63 characters, e.g. uwv-1.", valueName: "node"))
    var node: String

    @Option(name: .long, help: ArgumentHelp("The organisation's OIN (20 digits). Omit only in test federations: a test OIN is then derived from --org.", valueName: "20 digits"))
    var oin: String?

    @Option(name: .long, help: "Days the node certificate is valid (never beyond the CA's own expiry).")
    var days: Int = FederationPKI.defaultNodeValidityDays

    @Option(name: .long, help: ArgumentHelp("Folder to write node.key, node.crt and ca.crt into.", valueName: "dir"))
    var out: String

    @Flag(name: .long, help: "Replace existing node.key, node.crt and ca.crt in --out.")
    var force: Bool = false

    func validate() throws {
        _ = try parsedIdentity()
        guard (1...36_500).contains(days) else {
            throw ValidationError("--days must be between 1 and 36500, got \(days).")
        }
        guard !out.isEmpty, !ca.isEmpty else { throw ValidationError("--ca and --out must not be empty.") }
    }

    func run() throws {
        let (organisation, nodeID, givenOIN) = try parsedIdentity()
        let outcome: FederationPKI.Outcome
        do {
            outcome = try FederationPKI.issue(
                caDirectory: ca,
                organisation: organisation,
                node: nodeID,
                oin: givenOIN,
                validityDays: days,
                outDirectory: out,
                force: force,
                now: Date()
            )
        } catch let error as PKIError {
            throw KiemctlFailure(error.description)
        }
        let usedOIN = givenOIN ?? OIN.testOIN(for: organisation)
        print("Issued node certificate for \(KiemNodeURN(organisation: organisation, node: nodeID)):")
        for file in outcome.files { print("  \(file)") }
        print("  subject: \(outcome.certificate.subject)")
        print("  OIN: \(usedOIN)\(givenOIN == nil ? " (derived test OIN: for test federations only)" : "")")
        print("  valid until \(ISO8601DateFormatter().string(from: outcome.certificate.notValidAfter))")
    }

    private func parsedIdentity() throws -> (OrganisationID, NodeID, OIN?) {
        (try optionValue("--org") { try OrganisationID(org) },
         try optionValue("--node") { try NodeID(node) },
         try oin.map { oin in try optionValue("--oin") { try OIN(oin) } })
    }
}
