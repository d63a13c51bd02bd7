import ArgumentParser

/// `kiemctl peers`: the nodes this node dials.
struct PeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "List, add and remove the peers this node dials.",
        discussion: """
            Peers come from [[peers]] in kiemd.toml or from `kiemctl peers add`. Adding and \
            removing take effect at once and are kept in the data folder (peers.json), so they \
            survive a restart; removing a peer from kiemd.toml this way also lasts until it is \
            added again.

            Examples:
              kiemctl peers list
              kiemctl peers add svb.example.nl:7400 --node svb-1 --org svb
              kiemctl peers remove svb-1
            """,
        subcommands: [PeersListCommand.self, PeersAddCommand.self, PeersRemoveCommand.self],
        defaultSubcommand: PeersListCommand.self
    )
}
