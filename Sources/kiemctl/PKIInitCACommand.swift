import ArgumentParser
import Foundation
import KiemTransport
import X509

/// `kiemctl pki init-ca`: make a new federation CA.
struct PKIInitCACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-ca",
        abstract: "Create a new federation CA (ca.key, ca.crt).",
        discussion: """
            Writes OUT/ca.key (P-256 private key, mode 0600) and OUT/ca.crt \
            (self-signed CA certificate, basicConstraints CA=true, keyUsage \
            keyCertSign). The folder is created with mode 0700 if it does not \
            exist. Keep ca.key offline; every node only needs ca.crt.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Folder to write ca.key and ca.crt into.", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "Name of the CA (its Subject common name and organisation).")
    var name: String = "Kiem test federation"

    @Option(name: .long, help: "Days the CA certificate is valid.")
    var days: Int = FederationPKI.defaultCAValidityDays

    @Flag(name: .long, help: "Replace existing ca.key and ca.crt. The old CA and every certificate it issued stop being trusted by nodes that get the new ca.crt.")
    var force: Bool = false

    func validate() throws {
        guard (1...36_500).contains(days) else {
            throw ValidationError("--days must be between 1 and 36500, got \(days).")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--name must not be empty.")
        }
        guard !out.isEmpty else { throw ValidationError("--out must not be empty.") }
    }

    func run() throws {
        let outcome: FederationPKI.Outcome
        do {
            outcome = try FederationPKI.initCA(directory: out, name: name, validityDays: days, force: force, now: Date())
        } catch let error as PKIError {
            throw KiemctlFailure(error.description)
        }
        print("Created federation CA '\(name)':")
        for file in outcome.files { print("  \(file)") }
        print("  valid until \(ISO8601DateFormatter().string(from: outcome.certificate.notValidAfter))")
        print("Keep \(FederationPKI.caKeyFileName) offline and private; give \(FederationPKI.caCertificateFileName) to every node.")
    }
}
