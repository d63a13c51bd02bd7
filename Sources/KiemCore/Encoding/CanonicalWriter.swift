/// Appends values in Kiem's canonical byte form: integers big-endian with a
/// fixed width, strings and lists prefixed with their length. The same value
/// always produces the same bytes, which is what hashes and signatures need.
public struct CanonicalWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends raw bytes with no length prefix.
    public mutating func write<Bytes: Sequence<UInt8>>(raw: Bytes) { bytes.append(contentsOf: raw) }

    /// Appends one byte.
    public mutating func write(_ value: UInt8) { bytes.append(value) }

    /// Appends a bool as one byte, 0 or 1.
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    // The integers are appended as their big-endian bytes in one append:
    // byte by byte, each append checked capacity and uniqueness again.

    /// Appends two bytes, big-endian.
    public mutating func write(_ value: UInt16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends four bytes, big-endian.
    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends eight bytes, big-endian.
    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a double as its IEEE 754 bit pattern.
    public mutating func write(_ value: Double) { write(value.bitPattern) }

    /// Appends UTF-8 with a u32 length prefix.
    public mutating func write(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends UTF-8 with a u16 length prefix, for short identifiers.
    public mutating func writeShort(_ value: String) {
        var copy = value
        copy.withUTF8 { utf8 in
            write(UInt16(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends a u32 element count, then each element.
    public mutating func write<Element>(list: some Collection<Element>, _ element: (inout Self, Element) -> Void) {
        write(UInt32(list.count))
        for item in list { element(&self, item) }
    }

    /// Appends 0 for nil, or 1 followed by the value.
    public mutating func write<Value>(optional: Value?, _ value: (inout Self, Value) -> Void) {
        guard let optional else { return write(UInt8(0)) }
        write(UInt8(1))
        value(&self, optional)
    }
}
