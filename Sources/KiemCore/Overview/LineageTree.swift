/// Initiatives that started from one another (`derivedFrom`), as a tree.
public struct LineageTree: Hashable, Sendable {
    /// An initiative in the tree.
    public struct Node: Hashable, Sendable {
        /// The initiative.
        public let entry: PortfolioEntry
        /// 0 for the root, 1 for what was derived from it, and so on.
        public let depth: Int
    }

    /// The tree in pre-order: the root first, each node followed by its
    /// descendants, children by id (oldest first).
    public let nodes: [Node]
    /// Whether the root is derived from an initiative this overview does not
    /// cover: not replicated yet, archived, filtered out, or (which no honest
    /// node writes) created after the root.
    public let parentMissing: Bool

    /// The root.
    public var root: PortfolioEntry { nodes[0].entry }

    /// The lineage trees of `entries`, the largest first, ties by root id.
    ///
    /// A root is an initiative with derived children and no parent, or one
    /// whose parent is missing, even without children. A parent is only
    /// accepted if it was created before the child (an id is ordered by
    /// creation time, and a node derives only from what it has seen), so a
    /// chain of parents always ends and a forged cycle cannot loop.
    static func trees(of entries: [PortfolioEntry]) -> [LineageTree] {
        let parents = Set(entries.lazy.compactMap(\.derivedFrom))
        guard !parents.isEmpty else { return [] }
        let present = Set(entries.lazy.map(\.id).filter(parents.contains))
        var children: [InitiativeID: [PortfolioEntry]] = [:]
        var orphans: [PortfolioEntry] = []
        for entry in entries {
            guard let parent = entry.derivedFrom else { continue }
            if present.contains(parent) && parent < entry.id {
                children[parent, default: []].append(entry)
            } else {
                orphans.append(entry)
            }
        }
        let roots = entries.filter { $0.derivedFrom == nil && children[$0.id] != nil }
        let trees = roots.map { LineageTree(root: $0, parentMissing: false, children: children) }
            + orphans.map { LineageTree(root: $0, parentMissing: true, children: children) }
        return trees.sorted { ($1.nodes.count, $0.root.id) < ($0.nodes.count, $1.root.id) }
    }

    private init(root: PortfolioEntry, parentMissing: Bool, children: [InitiativeID: [PortfolioEntry]]) {
        var nodes: [Node] = []
        var pending = [Node(entry: root, depth: 0)]
        while let node = pending.popLast() {
            nodes.append(node)
            let below = (children[node.entry.id] ?? []).sorted { $0.id > $1.id }
            pending += below.map { Node(entry: $0, depth: node.depth + 1) }
        }
        self.nodes = nodes
        self.parentMissing = parentMissing
    }
}
