import ArgumentParser

/// `kiemctl revocations`: the revocations a node holds.
struct RevocationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revocations",
        abstract: "Add a revocation signed by the federation CA, and list those the node holds.",
        discussion: """
            A revocation (from `kiemctl pki revoke`) added on one node reaches every node connected \
            to it, each of which checks the CA's signature itself. See deploy/PKI.md.

            Examples:
              kiemctl revocations add uwv-1.revocation
              kiemctl revocations list
            """,
        subcommands: [RevocationsAddCommand.self, RevocationsListCommand.self],
        defaultSubcommand: RevocationsListCommand.self
    )
}
