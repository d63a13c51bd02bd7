/// Why bytes could not be read as a canonical Kiem value. Decoding is strict:
/// anything but the exact canonical form is refused.
public enum CanonicalDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input ended `needed` bytes early, while reading `field`.
    case truncated(field: String, needed: Int)
    /// Bytes were left over after the value.
    case trailingBytes(count: Int)
    /// A field held a value outside its domain.
    case invalid(field: String, reason: String)
    /// An op's payload does not hash to the digest its header names: the
    /// payload was altered after its origin wrote the op.
    case payloadDigestMismatch(OpID)
    /// An op arrived with its payload erased (length 0), which encoding
    /// version 1 does not accept (WIRE.md section 16.8).
    case erasedPayload(OpID)

    public var description: String {
        switch self {
        case let .truncated(field, needed): "truncated input: \(needed) more bytes needed for \(field)"
        case let .trailingBytes(count): "\(count) unexpected bytes after the end of the value"
        case let .invalid(field, reason): "invalid \(field): \(reason)"
        case let .payloadDigestMismatch(id): "the payload of op \(id) does not match the digest in its header (altered)"
        case let .erasedPayload(id):
            "op \(id) arrives with its payload erased (length 0): erased payloads are not accepted in version 1"
        }
    }
}
