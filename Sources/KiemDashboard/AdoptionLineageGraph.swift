import KiemCore

/// The adoption and lineage graph. Initiatives are nodes in layers by
/// lineage depth: each tree top-down in its pre-order, what was derived from
/// an initiative one column to the right of it and below it, so that the
/// solid `derivedFrom` edges never cross a node. Initiatives taken up
/// elsewhere that are in no tree follow in the first column. The
/// organisations taking them up form a last column, with a dashed edge from
/// each initiative to each of its adopters, coloured by status.
///
/// Deterministic: the order is that of the overview's lineage trees and
/// adoption list.
struct AdoptionLineageGraph: Hashable {
    /// What a node stands for.
    enum Subject: Hashable {
        /// An initiative in its phase; `parentMissing` when it derives from
        /// one the overview does not cover.
        case initiative(InitiativeID, Phase, parentMissing: Bool)
        /// An adopting organisation.
        case organisation
    }

    /// A node: a box with its top-left corner at (``x``, ``y``).
    struct Node: Hashable {
        let subject: Subject
        /// The full name: an initiative's title, an organisation's id.
        let label: String
        let x: Double
        let y: Double
    }

    /// An edge between two nodes, by index in ``nodes``.
    struct Edge: Hashable {
        let from: Int
        let to: Int
        /// Nil for `derivedFrom` (parent to child); the adopter's status for
        /// an adoption (initiative to organisation).
        let adoption: AdoptionStatus?
    }

    static let columnWidth = 190.0
    static let nodeWidth = 176.0
    static let nodeHeight = 22.0
    static let rowHeight = 30.0
    static let margin = 12.0
    /// More initiatives would not be read; the tables list them all.
    static let initiativeLimit = 40

    let nodes: [Node]
    let edges: [Edge]
    /// Initiatives left out for space.
    let omitted: Int

    init(lineage: [LineageTree], adopted: [AdoptedInitiative]) {
        var nodes: [Node] = []
        var edges: [Edge] = []
        var index: [InitiativeID: Int] = [:]
        var omitted = 0
        func place(_ entry: PortfolioEntry, depth: Int, parentMissing: Bool) {
            guard index[entry.id] == nil else { return }
            guard index.count < Self.initiativeLimit else {
                omitted += 1
                return
            }
            index[entry.id] = nodes.count
            nodes.append(Node(
                subject: .initiative(entry.id, entry.phase, parentMissing: parentMissing), label: entry.title,
                x: Self.margin + Double(depth) * Self.columnWidth, y: Self.margin + Double(index.count - 1) * Self.rowHeight))
            if depth > 0, let parent = entry.derivedFrom.flatMap({ index[$0] }) {
                edges.append(Edge(from: parent, to: nodes.count - 1, adoption: nil))
            }
        }
        for tree in lineage {
            for node in tree.nodes {
                place(node.entry, depth: node.depth, parentMissing: node.depth == 0 && tree.parentMissing)
            }
        }
        for initiative in adopted { place(initiative.entry, depth: 0, parentMissing: false) }

        let placed = adopted.filter { index[$0.entry.id] != nil }
        let organisations = Set(placed.flatMap(\.adopters.keys)).sorted()
        let rows = Double(index.count)
        let spacing = organisations.isEmpty ? 0 : max(Self.rowHeight, rows * Self.rowHeight / Double(organisations.count))
        let column = (nodes.map(\.x).max() ?? Self.margin) + Self.columnWidth + 60
        var organisationIndex: [OrganisationID: Int] = [:]
        for (offset, organisation) in organisations.enumerated() {
            organisationIndex[organisation] = nodes.count
            nodes.append(Node(subject: .organisation, label: organisation.rawValue, x: column,
                              y: Self.margin + Double(offset) * spacing))
        }
        for initiative in placed {
            for (organisation, status) in initiative.adopters.sorted(by: { $0.key < $1.key }) {
                edges.append(Edge(from: index[initiative.entry.id]!, to: organisationIndex[organisation]!, adoption: status))
            }
        }
        self.nodes = nodes
        self.edges = edges
        self.omitted = omitted
    }

    /// The chart.
    var svg: Markup {
        let width = (nodes.map(\.x).max() ?? 0) + Self.nodeWidth + Self.margin
        let bottom = (nodes.map(\.y).max() ?? 0) + Self.nodeHeight + Self.margin
        let legendY = bottom + 14
        let empty: Markup = nodes.isEmpty
            ? "<text x=\"\(Self.margin)\" y=\"\(Self.margin + 14)\" fill=\"\(ChartStyle.muted)\">No initiative is derived from another or taken up elsewhere yet.</text>"
            : ""
        let more: Markup = omitted > 0 ? " · \(omitted) more initiatives not drawn" : ""
        return ChartStyle.svg(
            width: max(width, 520), height: legendY + 10, title: "Lineage and adoption graph",
            """
            \(edges.map(edgeMarkup))\(nodes.map(nodeMarkup))\(empty)\
            <text x="\(Self.margin)" y="\(legendY)" fill="\(ChartStyle.muted)">solid: derived from · dashed: taken up by \
            (exploring, piloting, adopted: lighter to darker)\(more)</text>
            """)
    }

    private func edgeMarkup(_ edge: Edge) -> Markup {
        let from = nodes[edge.from]
        let to = nodes[edge.to]
        let middle = Self.nodeHeight / 2
        guard let status = edge.adoption else {
            // An elbow down the parent's left side, then right into the child.
            return """
                <path d="M\(from.x + 10) \(from.y + Self.nodeHeight) V\(to.y + middle) H\(to.x)" fill="none" \
                stroke="\(ChartStyle.ink)" stroke-width="1.5"/>
                """
        }
        return """
            <line x1="\(from.x + Self.nodeWidth)" y1="\(from.y + middle)" x2="\(to.x)" y2="\(to.y + middle)" \
            stroke="\(ChartStyle.colour(of: status))" stroke-width="1.5" stroke-dasharray="5 3"><title>\(to.label): \
            \(status.description)</title></line>
            """
    }

    private func nodeMarkup(_ node: Node) -> Markup {
        let label = ChartStyle.truncated(node.label, to: 26)
        let box = "x=\"\(node.x)\" y=\"\(node.y)\" width=\"\(Self.nodeWidth)\" height=\"\(Self.nodeHeight)\" rx=\"3\"" as Markup
        let textY = node.y + 15
        switch node.subject {
        case .organisation:
            return """
                <g><title>\(node.label)</title><rect \(box) fill="#ffffff" stroke="\(ChartStyle.accent)"/>\
                <text x="\(node.x + 8)" y="\(textY)">\(label)</text></g>
                """
        case let .initiative(id, phase, parentMissing):
            let note = parentMissing ? " (derived from an initiative not shown)" : ""
            let dashed: Markup = parentMissing ? " stroke=\"\(ChartStyle.ink)\" stroke-dasharray=\"3 2\"" : ""
            return """
                <a href="/initiatives/\(id.description)"><title>\(node.label) (\(phase.description))\(note)</title>\
                <rect \(box) fill="\(ChartStyle.colour(of: phase))"\(dashed)/>\
                <text x="\(node.x + 8)" y="\(textY)" fill="\(ChartStyle.textColour(on: phase))">\(label)</text></a>
                """
        }
    }
}
