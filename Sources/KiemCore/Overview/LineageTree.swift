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

    /// The trees, gathered entry by entry.
    ///
    /// A root is an initiative with derived children and no parent, or one
    /// whose parent is missing, even without children. A parent is only
    /// accepted if it was created before the child (an id is ordered by
    /// creation time, and a node derives only from what it has seen), so a
    /// chain of parents always ends and a forged cycle cannot loop.
    struct Tally {
        // Every entry and, in a compact array of their own, their ids: finding
        // the parents among them then reads no entry.
        private var entries: [PortfolioEntry] = []
        private var ids: [InitiativeID] = []
        private var derived: [(entry: PortfolioEntry, parent: InitiativeID)] = []

        mutating func add(_ entry: PortfolioEntry) {
            entries.append(entry)
            ids.append(entry.id)
            if let parent = entry.derivedFrom { derived.append((entry, parent)) }
        }

        /// The trees, the largest first, ties by root id.
        func result() -> [LineageTree] {
            let parents = Set(derived.map(\.parent))
            var present: [InitiativeID: PortfolioEntry] = [:]
            for (index, id) in ids.enumerated() where parents.contains(id) { present[id] = entries[index] }
            var children: [InitiativeID: [PortfolioEntry]] = [:]
            var orphans: [PortfolioEntry] = []
            for (entry, parent) in derived {
                if present[parent] != nil && parent < entry.id {
                    children[parent, default: []].append(entry)
                } else {
                    orphans.append(entry)
                }
            }
            let roots = children.keys.compactMap { present[$0] }.filter { $0.derivedFrom == nil }
            let trees = roots.map { LineageTree(root: $0, parentMissing: false, children: children) }
                + orphans.map { LineageTree(root: $0, parentMissing: true, children: children) }
            return trees.sorted(byKey: { (size: $0.nodes.count, root: $0.root.id) }) {
                ($1.size, $0.root) < ($0.size, $1.root)
            }
        }
    }
}
