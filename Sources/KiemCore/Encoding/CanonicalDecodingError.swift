/// Why bytes could not be read as a canonical Kiem value. Decoding is strict:
/// anything but the exact canonical form is refused.
public enum CanonicalDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The input ended `needed` bytes early, while reading `field`.
    case truncated(field: String, needed: Int)
    /// Bytes were left over after the value.
    case trailingBytes(count: Int)
    /// A field held a value outside its domain.
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(field, needed): "truncated input: \(needed) more bytes needed for \(field)"
        case let .trailingBytes(count): "\(count) unexpected bytes after the end of the value"
        case let .invalid(field, reason): "invalid \(field): \(reason)"
        }
    }
}
