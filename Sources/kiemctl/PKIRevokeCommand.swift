import ArgumentParser
import Foundation
import KiemCore
import KiemTransport

/// `kiemctl pki revoke`: a revocation signed by the federation CA.
struct PKIRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Sign a revocation of a node, or of a whole organisation, with the federation CA.",
        discussion: """
            Writes FILE: a revocation signed with the CA key in --ca (which stays offline; copy only \
            FILE to a node). Inject it on any one node with `kiemctl revocations add FILE`: every node \
            checks the CA's signature itself, takes it, and passes it on to its peers. From --at on \
            (default now), every node refuses TLS sessions with the revoked node (without --node: with \
            every node of the organisation), closes the live ones, and rejects its ops written at or \
            after that time. Ops it wrote before stay valid: they were signed while its key was \
            trusted, and others built on them.

            A revocation names an identity, not a certificate: a new certificate for a revoked node id \
            is refused too. Give a replacement node a new node id. See deploy/PKI.md.

            Examples:
              kiemctl pki revoke --ca /secure/kiem-ca --org uwv --node uwv-1 \\
                  --reason "node key stolen" --out uwv-1.revocation
              kiemctl pki revoke --ca /secure/kiem-ca --org acme --reason "left the federation" \\
                  --at 2026-12-31T00:00:00Z --out acme.revocation
            """
    )

    @Option(name: .long, help: ArgumentHelp("Folder holding the CA's ca.key and ca.crt.", valueName: "dir"))
    var ca: String

    @Option(name: .long, help: ArgumentHelp("The organisation to revoke, or the organisation of --node.", valueName: "org"))
    var org: String

    @Option(name: .long, help: ArgumentHelp("The node to revoke; without it, every node of --org.", valueName: "node"))
    var node: String?

    @Option(name: .long, help: ArgumentHelp("Why, in at most \(Revocation.maxReasonBytes) bytes: shown on every node.", valueName: "text"))
    var reason: String

    @Option(name: .long, help: ArgumentHelp("From when on (ISO 8601, e.g. 2026-12-07T14:00:00Z); default now. Set it to when the key may have been compromised.", valueName: "time"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("The revocation file to write.", valueName: "file"))
    var out: String

    @Flag(name: .long, help: "Replace the file if it exists.")
    var force = false

    func validate() throws {
        _ = try parsed()
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty.") }
        guard reason.utf8.count <= Revocation.maxReasonBytes else {
            throw ValidationError("--reason has \(reason.utf8.count) bytes; at most \(Revocation.maxReasonBytes) are allowed.")
        }
    }

    func run() throws {
        let (organisation, nodeID, from) = try parsed()
        let now = Date()
        let revocation = Revocation(organisation: organisation, node: nodeID, reason: reason, revokedAt: from ?? now, issuedAt: now)
        let signed: VerifiedRevocation
        do {
            signed = try FederationPKI.revoke(caDirectory: ca, revocation: revocation, outFile: out, force: force)
        } catch let error as PKIError {
            throw KiemctlFailure(error.description)
        } catch let error as RevocationError {
            throw KiemctlFailure("cannot sign the revocation: \(error)")
        }
        print("Revocation of \(revocation) from \(ISO8601DateFormatter().string(from: revocation.revokedAt)) written to \(out)")
        print("  id: \(signed.hexID)")
        print("  next: kiemctl revocations add \(out)   (on any one node; it reaches the others by itself)")
    }

    private func parsed() throws -> (OrganisationID, NodeID?, Date?) {
        let from = try at.map { at in
            guard let date = ISO8601DateFormatter().date(from: at) else {
                throw ValidationError("--at: '\(at)' is not an ISO 8601 time such as 2026-12-07T14:00:00Z.")
            }
            return date
        }
        return (try optionValue("--org") { try OrganisationID(org) },
                try node.map { node in try optionValue("--node") { try NodeID(node) } }, from)
    }
}
