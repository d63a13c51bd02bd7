import Crypto

/// The per-origin hash chain over op headers.
public enum OpChain {
    /// The chain value before an origin's first op: 32 zero bytes.
    public static let genesis = [UInt8](repeating: 0, count: 32)
    private static let domain = Array("kiem-chain-v1".utf8)

    /// The chain value after an op with `header`, following `previous`.
    public static func link(_ previous: [UInt8], header: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: domain)
        hasher.update(data: previous)
        hasher.update(data: header)
        return Array(hasher.finalize())
    }
}

/// What an origin signs: its node id, a seq and the chain value after that
/// seq. One signature vouches for every op up to `seq`.
public struct SignedHead: Hashable, Sendable {
    /// The origin node.
    public let origin: NodeID
    /// The last op covered.
    public let seq: UInt64
    /// The chain value after that op.
    public let chain: [UInt8]

    /// Creates a head.
    public init(origin: NodeID, seq: UInt64, chain: [UInt8]) {
        self.origin = origin
        self.seq = seq
        self.chain = chain
    }

    /// The bytes that are signed.
    public var message: [UInt8] {
        var writer = CanonicalWriter(capacity: 64)
        writer.write(raw: Array("kiem-head-v1".utf8))
        writer.writeShort(origin.rawValue)
        writer.write(seq)
        writer.write(raw: chain)
        return writer.bytes
    }
}
