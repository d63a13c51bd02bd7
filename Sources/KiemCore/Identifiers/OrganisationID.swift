/// A participating organisation, e.g. `uwv` or `belastingdienst`.
///
/// A lowercase slug of 2 to 32 characters: letters, digits and hyphens,
/// starting with a letter.
public struct OrganisationID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The slug.
    public let rawValue: String

    /// Validates `rawValue` as an organisation slug.
    public init(_ rawValue: String) throws(IdentifierError) {
        try Slug.validate(rawValue, kind: "organisation id", maxLength: 32)
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
