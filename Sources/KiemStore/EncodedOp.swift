public import KiemCore

/// An op together with its canonical bytes (``KiemCore/Op/canonicalBytes``)
/// and, when it came from sync or a local write, its integrity proof.
///
/// The store keeps every op in canonical form, with its chain hash and the
/// origin's signature when it has them, so that it can relay the op with
/// its proof. Sync receives ops in that
/// form and has to decode them anyway; handing the bytes on with
/// `KiemStore.apply(_:)` with encoded ops spares encoding (and hashing) each op a
/// second time.
public struct EncodedOp: Hashable, Sendable {
    /// The op.
    public let op: Op
    /// Its canonical encoding.
    public let canonical: [UInt8]
    /// Its chain hash and (on the last op of a signed run) the origin's
    /// signature; nil for ops applied without one (tests, benchmarks).
    public let proof: OpProof?

    /// Encodes `op`.
    public init(_ op: Op, proof: OpProof? = nil) {
        self.op = op
        self.canonical = op.canonicalBytes
        self.proof = proof
    }

    /// Decodes canonical bytes strictly (see ``KiemCore/Op/init(canonicalBytes:)``).
    public init(canonical: [UInt8], proof: OpProof? = nil) throws(CanonicalDecodingError) {
        self.op = try Op(canonicalBytes: canonical)
        self.canonical = canonical
        self.proof = proof
    }
}
