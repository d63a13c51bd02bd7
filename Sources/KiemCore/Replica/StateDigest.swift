import Crypto

/// The canonical digest of a replica's visible state: SHA-256 over the
/// visible state of every initiative in id order. Two replicas have equal
/// digests exactly when what they show is equal.
public struct StateDigest {
    private var hasher = SHA256()

    /// Starts an empty digest.
    public init() {
        hasher.update(data: Array("kiem-state-v1".utf8))
    }

    /// Adds one initiative's ``Initiative/visibleStateBytes``. Callers add
    /// initiatives in ascending id order.
    public mutating func add(visibleState bytes: [UInt8]) {
        var length = CanonicalWriter(capacity: 4)
        length.write(UInt32(bytes.count))
        hasher.update(data: length.bytes)
        hasher.update(data: bytes)
    }

    /// The digest as 64 lowercase hex characters.
    public func finalize() -> String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
