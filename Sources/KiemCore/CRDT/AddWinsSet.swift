/// An observed-remove set in which a concurrent add wins over a remove.
///
/// Each add is tagged with its op id; a remove names the tags its author saw,
/// so an add the remover had not seen survives.
public struct AddWinsSet: Hashable, Sendable {
    private var tags: [String: [OpID]]
    private var removed: Set<OpID>

    /// An empty set.
    public init() {
        tags = [:]
        removed = []
    }

    /// The elements present, sorted.
    public var elements: [String] {
        tags.compactMap { element, elementTags in
            elementTags.contains { !removed.contains($0) } ? element : nil
        }.sorted()
    }

    /// Whether `element` is present.
    public func contains(_ element: String) -> Bool {
        tags[element]?.contains { !removed.contains($0) } ?? false
    }

    /// The live tags of `element`: what a remove should name.
    public func liveTags(of element: String) -> [OpID] {
        (tags[element] ?? []).filter { !removed.contains($0) }.sorted()
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
        removed.formUnion(removedTags)
        return wasPresent && !contains(element)
    }
}
