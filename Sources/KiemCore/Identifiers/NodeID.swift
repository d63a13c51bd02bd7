/// One `kiemd` instance, e.g. `uwv-1`. Unique within the federation; it names
/// the origin of every op the node writes.
///
/// A lowercase slug of 2 to 63 characters: letters, digits and hyphens,
/// starting with a letter.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The slug.
    public let rawValue: String

    /// Validates `rawValue` as a node slug.
    public init(_ rawValue: String) throws(IdentifierError) {
        try Slug.validate(rawValue, kind: "node id", maxLength: 63)
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
