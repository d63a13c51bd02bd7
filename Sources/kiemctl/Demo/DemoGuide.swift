import KiemConfiguration

/// What `kiemctl demo` prints about the running federation: a line per node
/// and the exact commands to try next, with the demo's real paths and the
/// kiemctl and kiemd commands as they are typed in this shell.
struct DemoGuide: Sendable {
    let topology: DemoTopology
    let configurations: [NodeConfiguration]
    /// How to run kiemctl (as it was invoked).
    let kiemctl: String
    /// How to run kiemd.
    let kiemd: String

    /// One line per node: name, node id, role, addresses and whom it dials.
    var nodeLines: [String] {
        zip(topology.nodes, configurations).map { node, configuration in
            let dials = topology.dialled(by: node).map(\.name)
            return node.name + String(repeating: " ", count: max(1, 7 - node.name.count))
                + "\(node.node) (\(node.role.rawValue)), peers on \(configuration.listen), "
                + "metrics on \(configuration.metrics.map(\.description) ?? "off")"
                + (dials.isEmpty ? "" : ", dials \(dials.joined(separator: ", "))")
        }
    }

    /// The "Try next:" section, about the seeded initiatives `ids` (by seed key).
    func tryNext(ids: [String: String]) -> String {
        let adopted = ids[DemoSeed.adoption.key] ?? "ID"
        let letters = ids["uwv-brieven-ai"] ?? "ID"
        let metrics = configurations.first?.metrics.map { "  curl -s http://\($0)/metrics | grep '^kiem_'" } ?? ""
        let dashboard = configurations.first { $0.dashboard.enabled }.map { "Open the regie dashboard: \($0.dashboard.url)\n\n" } ?? ""
        return dashboard + """
            Try next (every node has its own control socket; options go after the subcommand):
              \(kiemctl) initiative list --socket \(socket("svb"))
              \(kiemctl) initiative show \(adopted) --socket \(socket("rws"))
              \(kiemctl) initiative history \(adopted) --socket \(socket("regie"))
              \(kiemctl) initiative list --theme robotica --socket \(socket("uwv"))
              \(kiemctl) initiative search MPC --socket \(socket("uwv"))
              \(kiemctl) overview --socket \(socket("regie"))
              \(kiemctl) overview --label werkagenda-2027 --socket \(socket("regie"))
              \(kiemctl) initiative annotate \(letters) --label werkagenda-2027 --priority high --socket \(socket("regie"))
              \(kiemctl) status --socket \(socket("regie"))
              \(kiemctl) peers list --socket \(socket("rws"))
            \(metrics)

            Watch a change travel: uwv and rws have no direct link, so svb or the regie relays. In a second terminal:
              \(kiemctl) watch --socket \(socket("rws"))
            and here:
              \(kiemctl) initiative progress \(adopted) --text "SVB start de pilot" --socket \(socket("uwv"))

            Watch a node catch up: stop rws, change something while it is down, bring it back:
              kill $(cat \(topology["rws"].pidPath))
              \(kiemctl) initiative phase \(letters) proven --socket \(socket("uwv"))
              \(kiemd) --config \(topology["rws"].configurationPath)
              \(kiemctl) initiative show \(letters) --socket \(socket("rws"))
            """
    }

    /// Where the data stays once the nodes have stopped, and how to use it
    /// again with the kiemd command `kiemd`.
    static func dataLocation(_ topology: DemoTopology, kiemd: String) -> String {
        """
        The data stays in \(topology.folder): per node kiemd.toml, kiemd.log and the replica kiem.sqlite, \
        the CA in ca/. Start a node again with `\(kiemd) --config \(topology.folder)/<node>/kiemd.toml`; \
        remove the folder when you are done.
        """
    }

    private func socket(_ name: String) -> String { topology[name].socketPath }
}
