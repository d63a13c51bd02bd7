import Crypto

/// The canonical digest of a replica's visible state: SHA-256 over the
/// ``Initiative/visibleStateHash`` of every initiative in id order. Two
/// replicas have equal digests exactly when what they show is equal.
///
/// Hashing each initiative's visible state first lets a store keep 32 bytes
/// per initiative for the digest instead of the whole visible state.
public struct StateDigest {
    private var hasher = SHA256()

    /// Starts an empty digest.
    public init() {
        hasher.update(data: Array("kiem-state-v2".utf8))
    }

    /// Adds one initiative's ``Initiative/visibleStateHash`` (32 bytes).
    /// Callers add initiatives in ascending id order.
    public mutating func add(visibleStateHash hash: [UInt8]) {
        precondition(hash.count == Initiative.visibleStateHashSize, "a visible-state hash has 32 bytes")
        hasher.update(data: hash)
    }

    /// The digest as 64 lowercase hex characters.
    public func finalize() -> String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
