import ArgumentParser

/// `kiemctl demo`: a local four-node federation in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a local Kiem federation: three agencies and a regie, with realistic initiatives.",
        discussion: """
            `kiemctl demo` creates a federation CA, starts four real kiemd processes on loopback ports \
            (agencies uwv, svb and rws peered in a chain, the regie peered with each), records some \
            fifteen initiatives at their owners, shows svb adopting uwv's proven initiative and the \
            change arriving at every node, prints commands to try, and runs until Ctrl-C, when it stops \
            every node and says where the data is.

            Each node's folder is DIR/<node>/ (uwv, svb, rws, regie) with its configuration kiemd.toml, \
            its control socket kiemd.sock, its pid in kiemd.pid, its log kiemd.log and the replica \
            kiem.sqlite; the CA is in DIR/ca/. A node can be stopped and started again by hand with \
            `kiemd --config DIR/<node>/kiemd.toml`.

            Options of `kiemctl demo [start]`: --dir DIR, the demo folder (new or empty; default: a new \
            temporary folder), and --no-wait, to return once every node has converged and leave the \
            nodes running. For scripts and tests:
              kiemctl demo --dir /tmp/kiem --no-wait
              kiemctl demo stop --dir /tmp/kiem
            """,
        subcommands: [DemoStartCommand.self, DemoStopCommand.self],
        defaultSubcommand: DemoStartCommand.self
    )
}
