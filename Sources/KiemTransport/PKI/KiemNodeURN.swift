public import KiemCore

/// The name a Kiem node certificate carries in its Subject Alternative Name:
/// `urn:kiem:org:<organisation>:node:<node>`, e.g. `urn:kiem:org:uwv:node:uwv-1`.
public struct KiemNodeURN: Hashable, Sendable, CustomStringConvertible {
    /// Every Kiem URN starts with this (compared case-insensitively, as URN
    /// scheme and namespace are).
    public static let prefix = "urn:kiem:"

    public let organisation: OrganisationID
    public let node: NodeID

    public init(organisation: OrganisationID, node: NodeID) {
        self.organisation = organisation
        self.node = node
    }

    /// Parses `urn:kiem:org:<organisation>:node:<node>` strictly.
    public init(parsing text: String) throws(KiemNodeURNError) {
        guard Self.isKiemURN(text) else {
            throw KiemNodeURNError(input: text, reason: "does not start with '\(Self.prefix)'")
        }
        let parts = text.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "org", parts[2] == "node" else {
            throw KiemNodeURNError(input: text, reason: "expected 'urn:kiem:org:<organisation>:node:<node>'")
        }
        do {
            self.organisation = try OrganisationID(String(parts[1]))
            self.node = try NodeID(String(parts[3]))
        } catch {
            throw KiemNodeURNError(input: text, reason: error.description)
        }
    }

    /// Whether `text` is in the Kiem URN namespace at all (well-formed or not).
    public static func isKiemURN(_ text: String) -> Bool {
        text.utf8.count >= prefix.utf8.count && text.prefix(prefix.count).lowercased() == prefix
    }

    public var description: String { "urn:kiem:org:\(organisation.rawValue):node:\(node.rawValue)" }
}

/// Why a string is not a well-formed ``KiemNodeURN``.
public struct KiemNodeURNError: Error, Hashable, Sendable, CustomStringConvertible {
    public let input: String
    public let reason: String

    public var description: String { "invalid Kiem node URN '\(input)': \(reason)" }
}
