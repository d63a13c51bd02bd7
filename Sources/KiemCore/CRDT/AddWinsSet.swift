/// An observed-remove set in which a concurrent add wins over a remove.
///
/// Each add is tagged with its op id; a remove names the tags its author saw,
/// so an add the remover had not seen survives. Removed tags are kept per
/// element: one op (a creation) tags several elements with the same id, and
/// removing one of them leaves the others.
public struct AddWinsSet: Hashable, Sendable {
    private var tags: [String: [OpID]]
    private var removed: [String: Set<OpID>]

    /// An empty set.
    public init() {
        tags = [:]
        removed = [:]
    }

    /// The elements present, sorted.
    public var elements: [String] {
        tags.keys.filter(contains).sorted()
    }

    /// Whether `element` is present.
    public func contains(_ element: String) -> Bool {
        let gone = removed[element] ?? []
        return tags[element]?.contains { !gone.contains($0) } ?? false
    }

    /// The live tags of `element`: what a remove should name.
    public func liveTags(of element: String) -> [OpID] {
        let gone = removed[element] ?? []
        return (tags[element] ?? []).filter { !gone.contains($0) }.sorted()
    }

    /// Adds `element` with tag `tag`. Returns whether the visible set changed.
    @discardableResult
    public mutating func add(_ element: String, tag: OpID) -> Bool {
        let wasPresent = contains(element)
        var elementTags = tags[element, default: []]
        guard !elementTags.contains(tag) else { return false }
        elementTags.append(tag)
        tags[element] = elementTags
        return !wasPresent && contains(element)
    }

    /// Removes the additions tagged `removedTags`. Returns whether the visible
    /// set changed.
    @discardableResult
    public mutating func remove(_ element: String, tags removedTags: [OpID]) -> Bool {
        let wasPresent = contains(element)
        removed[element, default: []].formUnion(removedTags)
        return wasPresent && !contains(element)
    }
}
