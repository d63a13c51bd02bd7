import ArgumentParser

/// `kiemctl pki`: the federation's certificate authority and node certificates.
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Create the federation CA, issue, renew and revoke node certificates.",
        discussion: """
            Every node of a Kiem federation authenticates with a certificate \
            from the federation CA (mutual TLS 1.3). Keys are P-256 and written \
            as PEM; private keys are created with mode 0600 and are never \
            overwritten unless --force is given. See deploy/PKI.md.

            Typical use:
              kiemctl pki init-ca --out /secure/kiem-ca --name "Kiem federation"
              kiemctl pki issue --ca /secure/kiem-ca --org uwv --node uwv-1 \\
                  --oin 00000001234567890000 --out /etc/kiem/tls
              kiemctl pki revoke --ca /secure/kiem-ca --org uwv --node uwv-1 \\
                  --reason "node key stolen" --out uwv-1.revocation
            """,
        subcommands: [PKIInitCACommand.self, PKIIssueCommand.self, PKIRenewCommand.self, PKIRevokeCommand.self]
    )
}
