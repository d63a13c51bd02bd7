extension Array {
    /// The elements in the order `areInIncreasingOrder` gives their keys, each
    /// key computed once.
    ///
    /// Only indices move while sorting; the elements are then put in place by
    /// swaps, which move them without retaining. Much cheaper than
    /// `sorted(by:)` for elements that hold many references, such as
    /// ``PortfolioEntry``, where every copy retains and releases them all.
    consuming func sorted<Key>(byKey key: (Element) -> Key, _ areInIncreasingOrder: (Key, Key) -> Bool) -> [Element] {
        let keys = map(key)
        // order[i]: the index of the element that belongs at i.
        var order = keys.indices.sorted { areInIncreasingOrder(keys[$0], keys[$1]) }
        var elements = self
        elements.withUnsafeMutableBufferPointer { buffer in
            // Follow each cycle of the permutation; a placed index points to itself.
            for start in order.indices where order[start] != start {
                var current = start
                while order[current] != start {
                    let next = order[current]
                    buffer.swapAt(current, next)
                    order[current] = current
                    current = next
                }
                order[current] = current
            }
        }
        return elements
    }
}
