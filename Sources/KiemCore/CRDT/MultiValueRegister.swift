/// A register that keeps every concurrent value and reads as last-writer-wins.
///
/// Each write names the writes it replaces (those its author saw). The visible
/// writes are those no other write replaces; the ``winner`` is the visible one
/// with the highest (HLC, origin). Applying writes in any order, any number of
/// times, gives the same register.
public struct MultiValueRegister<Value: Hashable & Sendable>: Hashable, Sendable {
    // The usual single visible write is stored inline; concurrent ones in
    // `others`. Saves an allocation per register.
    private var first: RegisterWrite<Value>?
    private var others: [RegisterWrite<Value>]
    private var superseded: Set<OpID>

    /// An empty register.
    public init() {
        first = nil
        others = []
        superseded = []
    }

    /// Equal when the same writes are visible and the same are hidden,
    /// whichever of them happens to be stored inline.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.superseded == rhs.superseded && lhs.others.count == rhs.others.count && Set(lhs.visible) == Set(rhs.visible)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Set(visible))
        hasher.combine(superseded)
    }

    /// The writes no other write replaces, in no particular order.
    public var visible: [RegisterWrite<Value>] {
        guard let first else { return others }
        return [first] + others
    }

    /// The value that reads win: the visible write with the highest HLC.
    public var winner: RegisterWrite<Value>? {
        guard var best = first else { return others.max { !$0.wins(over: $1) } }
        for write in others where write.wins(over: best) { best = write }
        return best
    }

    /// The winning value.
    public var value: Value? { winner?.value }

    /// Whether concurrent writes left more than one visible value.
    public var isContested: Bool { !others.isEmpty }

    /// The visible writes, winner first, then the others by descending order.
    public var writesByPrecedence: [RegisterWrite<Value>] {
        others.isEmpty ? (first.map { [$0] } ?? []) : visible.sorted { $0.wins(over: $1) }
    }

    /// The only visible write when there are no concurrent ones (nil if the
    /// register is empty or contested): ``writesByPrecedence`` without an
    /// array, for the usual case.
    var soleWrite: RegisterWrite<Value>? { others.isEmpty ? first : nil }

    /// The op ids a new write should name as replaced: every visible write.
    public var currentWriteIDs: [OpID] { visible.map(\.op).sorted() }

    /// Applies a write that replaces `supersedes`. Returns whether the visible
    /// state changed.
    ///
    /// Each write is applied once (the replica skips ops it has seen), so a
    /// replaced write that is visible is simply dropped; only replaced writes
    /// that have not arrived yet are remembered, to hide them when they do.
    @discardableResult
    public mutating func apply(_ write: RegisterWrite<Value>, supersedes: [OpID]) -> Bool {
        guard first?.op != write.op, !others.contains(where: { $0.op == write.op }) else { return false }
        var changed = false
        for id in supersedes {
            if first?.op == id {
                first = others.popLast()
                changed = true
            } else if let index = others.firstIndex(where: { $0.op == id }) {
                others.remove(at: index)
                changed = true
            } else {
                // Not seen yet (or already hidden): remember it. A write that
                // is itself replaced still hides what it replaced, otherwise
                // the order of arrival would decide what stays visible.
                superseded.insert(id)
            }
        }
        guard superseded.isEmpty || !superseded.contains(write.op) else { return changed }
        if first == nil { first = write } else { others.append(write) }
        return true
    }
}
