public import KiemCore

/// An op together with its canonical bytes (``KiemCore/Op/canonicalBytes``).
///
/// The store keeps every op in canonical form. Sync receives ops in that
/// form and has to decode them anyway; handing the bytes on with
/// `KiemStore.apply(_:)` with encoded ops spares encoding (and hashing) each op a
/// second time.
public struct EncodedOp: Hashable, Sendable {
    /// The op.
    public let op: Op
    /// Its canonical encoding.
    public let canonical: [UInt8]

    /// Encodes `op`.
    public init(_ op: Op) {
        self.op = op
        self.canonical = op.canonicalBytes
    }

    /// Decodes canonical bytes strictly (see ``KiemCore/Op/init(canonicalBytes:)``).
    public init(canonical: [UInt8]) throws(CanonicalDecodingError) {
        self.op = try Op(canonicalBytes: canonical)
        self.canonical = canonical
    }
}
