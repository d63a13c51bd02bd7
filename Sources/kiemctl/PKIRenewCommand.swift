import ArgumentParser
import Foundation
import KiemTransport
import X509

/// `kiemctl pki renew`: a new certificate for a node, same key.
struct PKIRenewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Renew a node's certificate (same organisation, node and OIN; same key unless --new-key).",
        discussion: """
            Reads --node-dir/node.key and node.crt (a folder from `kiemctl pki issue`), issues a new \
            node.crt from the CA in --ca for the same identity and key, valid for --days from now, and \
            replaces node.crt atomically; ca.crt is left alone. Restart kiemd (or \
            systemctl restart kiemd) to use it: the node keeps its node id and key, so its origin log \
            and every op it signed go on as before. Run it on the CA machine with a copy of the node \
            folder's node.key and node.crt, then install the new node.crt.

            With --new-key the certificate is for a new P-256 key, written to node.key (mode 0600): a \
            key rotation. Restart kiemd with both files: it signs its next ops with the new key, and \
            peers keep its old certificate beside the new one, so its older ops still verify.

            A node whose key may have been stolen is not renewed: issue a certificate for a new node id \
            and revoke the old one (deploy/PKI.md section 7).

            Examples:
              kiemctl pki renew --ca /secure/kiem-ca --node-dir ./uwv-1 --days 365
              kiemctl pki renew --ca /secure/kiem-ca --node-dir ./uwv-1 --new-key
            """
    )

    @Option(name: .long, help: ArgumentHelp("Folder holding the CA's ca.key and ca.crt.", valueName: "dir"))
    var ca: String

    @Option(name: .customLong("node-dir"), help: ArgumentHelp("The node folder with node.key and node.crt.", valueName: "dir"))
    var nodeDirectory: String

    @Option(name: .long, help: "Days the new certificate is valid (never beyond the CA's own expiry).")
    var days: Int = FederationPKI.defaultNodeValidityDays

    @Flag(name: .customLong("new-key"), help: "Issue it for a new key and replace node.key (a key rotation).")
    var newKey = false

    func validate() throws {
        guard (1...36_500).contains(days) else { throw ValidationError("--days must be between 1 and 36500, got \(days).") }
    }

    func run() throws {
        let outcome: FederationPKI.Outcome
        do {
            outcome = try FederationPKI.renew(
                caDirectory: ca, nodeDirectory: nodeDirectory, validityDays: days, newKey: newKey, now: Date())
        } catch let error as PKIError {
            throw KiemctlFailure(error.description)
        }
        print("Renewed \(outcome.files.joined(separator: " and ")): \(outcome.certificate.subject)\(newKey ? ", new key" : "")")
        print("  valid until \(ISO8601DateFormatter().string(from: outcome.certificate.notValidAfter))")
        print("  next: install it and restart kiemd")
    }
}
