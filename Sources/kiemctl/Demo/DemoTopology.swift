import KiemConfiguration

/// The demo federation: three agencies peered in a chain (uwv – svb – rws)
/// and a regie peered with each of them. uwv and rws have no direct link, so
/// what one writes reaches the other relayed by svb or the regie.
struct DemoTopology: Sendable {
    /// The demo folder (absolute).
    let folder: String
    /// uwv, svb, rws (agencies) and regie, in start order.
    let nodes: [DemoNode]

    /// Who dials whom, by name. One side dialling is enough for a link.
    static let links: [(dialler: String, dialled: String)] = [
        ("uwv", "svb"), ("svb", "rws"), ("regie", "uwv"), ("regie", "svb"), ("regie", "rws"),
    ]

    /// The topology with its nodes in `folder/<name>/`.
    init(folder: String) throws {
        self.folder = folder
        nodes = try [
            DemoNode(name: "uwv", role: .agency, demoFolder: folder),
            DemoNode(name: "svb", role: .agency, demoFolder: folder),
            DemoNode(name: "rws", role: .agency, demoFolder: folder),
            DemoNode(name: "regie", role: .regie, demoFolder: folder),
        ]
    }

    /// The federation CA's folder (`ca.key`, `ca.crt`).
    var caFolder: String { folder + "/ca" }

    /// The node called `name`.
    subscript(name: String) -> DemoNode {
        guard let node = nodes.first(where: { $0.name == name }) else { preconditionFailure("no demo node \(name)") }
        return node
    }

    /// The nodes `node` dials.
    func dialled(by node: DemoNode) -> [DemoNode] {
        Self.links.filter { $0.dialler == node.name }.map { self[$0.dialled] }
    }

    /// The links in words: "uwv–svb, svb–rws, regie–uwv, …".
    var linkSummary: String {
        Self.links.map { "\($0.dialler)–\($0.dialled)" }.joined(separator: ", ")
    }
}
