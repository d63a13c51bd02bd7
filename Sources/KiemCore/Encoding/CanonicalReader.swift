/// Reads values written by ``CanonicalWriter``, refusing anything malformed
/// with a ``CanonicalDecodingError`` instead of trapping.
public struct CanonicalReader {
    private let bytes: [UInt8]
    /// The offset of the next unread byte.
    public private(set) var offset: Int

    /// Reads `bytes` from `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// The number of unread bytes.
    public var remaining: Int { bytes.count - offset }

    /// Throws unless every byte has been read.
    public func finish() throws(CanonicalDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(count: remaining) }
    }

    private mutating func take(_ count: Int, _ field: String) throws(CanonicalDecodingError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw .truncated(field: field, needed: count - remaining) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// Reads `count` raw bytes.
    public mutating func readRaw(_ count: Int, _ field: String) throws(CanonicalDecodingError) -> [UInt8] {
        Array(try take(count, field))
    }

    /// Reads one byte.
    public mutating func readUInt8(_ field: String) throws(CanonicalDecodingError) -> UInt8 {
        try take(1, field).first!
    }

    /// Reads a bool written as 0 or 1.
    public mutating func readBool(_ field: String) throws(CanonicalDecodingError) -> Bool {
        switch try readUInt8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .invalid(field: field, reason: "bool byte \(other)")
        }
    }

    /// Reads a big-endian integer of `FixedWidth`'s width.
    public mutating func readInteger<FixedWidth: FixedWidthInteger & UnsignedInteger>(
        _ field: String, as type: FixedWidth.Type = FixedWidth.self
    ) throws(CanonicalDecodingError) -> FixedWidth {
        try take(MemoryLayout<FixedWidth>.size, field).reduce(FixedWidth(0)) { ($0 << 8) | FixedWidth($1) }
    }

    /// Reads a double from its bit pattern.
    public mutating func readDouble(_ field: String) throws(CanonicalDecodingError) -> Double {
        Double(bitPattern: try readInteger(field))
    }

    /// Reads a string with a u32 length prefix; refuses invalid UTF-8.
    public mutating func readString(_ field: String) throws(CanonicalDecodingError) -> String {
        let count = Int(try readInteger(field, as: UInt32.self))
        return try utf8(take(count, field), field)
    }

    /// Reads a string with a u16 length prefix; refuses invalid UTF-8.
    public mutating func readShortString(_ field: String) throws(CanonicalDecodingError) -> String {
        let count = Int(try readInteger(field, as: UInt16.self))
        return try utf8(take(count, field), field)
    }

    /// Reads a u32 count, then that many elements. A count that cannot fit in
    /// the remaining input is refused before anything is allocated.
    public mutating func readList<Element>(
        _ field: String, minimumElementSize: Int = 1,
        _ element: (inout Self) throws(CanonicalDecodingError) -> Element
    ) throws(CanonicalDecodingError) -> [Element] {
        let count = Int(try readInteger(field, as: UInt32.self))
        guard count * minimumElementSize <= remaining else {
            throw .truncated(field: field, needed: count * minimumElementSize - remaining)
        }
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try element(&self)) }
        return result
    }

    /// Reads an optional written by ``CanonicalWriter/write(optional:_:)``.
    public mutating func readOptional<Value>(
        _ field: String, _ value: (inout Self) throws(CanonicalDecodingError) -> Value
    ) throws(CanonicalDecodingError) -> Value? {
        try readBool(field) ? try value(&self) : nil
    }

    private func utf8(_ slice: ArraySlice<UInt8>, _ field: String) throws(CanonicalDecodingError) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw .invalid(field: field, reason: "not valid UTF-8")
        }
        return text
    }
}
