import Crypto

/// Identifies an initiative: 16 bytes, ordered by creation time.
///
/// The first 8 bytes are the creating op's HLC timestamp (wall milliseconds
/// and logical counter), the last 8 the start of SHA-256 of the creating node's
/// id. A node's clock never repeats a timestamp and two nodes differ in the hash
/// part, so ids are unique without coordination. Written as 26 characters of
/// Crockford base32, like a ULID.
public struct InitiativeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The creating op's timestamp.
    public let timestamp: HLCTimestamp
    /// The first 8 bytes of SHA-256 of the creating node's id, big-endian.
    public let nodeHash: UInt64

    /// The id an initiative gets when `node` creates it at `timestamp`.
    public init(timestamp: HLCTimestamp, node: NodeID) {
        self.timestamp = timestamp
        self.nodeHash = Self.hash(of: node)
    }

    /// Rebuilds an id from its two halves.
    public init(timestamp: HLCTimestamp, nodeHash: UInt64) {
        self.timestamp = timestamp
        self.nodeHash = nodeHash
    }

    /// Parses the 26-character text form.
    public init(_ text: String) throws(IdentifierError) {
        guard let value = CrockfordBase32.decode128(text) else {
            throw IdentifierError(kind: "initiative id", input: text,
                                  reason: "must be 26 characters of Crockford base32")
        }
        self.timestamp = HLCTimestamp(rawValue: value.high)
        self.nodeHash = value.low
    }

    /// The 26-character text form.
    public var description: String { CrockfordBase32.encode128(high: timestamp.rawValue, low: nodeHash) }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.timestamp.rawValue, lhs.nodeHash) < (rhs.timestamp.rawValue, rhs.nodeHash)
    }

    static func hash(of node: NodeID) -> UInt64 {
        let digest = SHA256.hash(data: Array(node.rawValue.utf8))
        return digest.withUnsafeBytes { raw in
            raw.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        }
    }
}
