/// Why a string could not be used as a Kiem identifier.
public struct IdentifierError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of identifier that was expected, e.g. "organisation id".
    public let kind: String
    /// The rejected input.
    public let input: String
    /// What is wrong with it, in words.
    public let reason: String

    /// Creates an error for `input`, which is not a valid `kind`.
    public init(kind: String, input: String, reason: String) {
        self.kind = kind
        self.input = input
        self.reason = reason
    }

    public var description: String { "invalid \(kind) '\(input)': \(reason)" }
}
