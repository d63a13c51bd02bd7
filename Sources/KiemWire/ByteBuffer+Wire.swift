import NIOCore

/// Little helpers for the length-prefixed fields of frame payloads.
extension ByteBuffer {
    /// The longest string a u16 length prefix can carry.
    static let maximumShortStringLength = Int(UInt16.max)

    /// Writes a u16 length and the UTF-8 bytes of `string`, cut at a scalar
    /// boundary to at most `maximumLength` bytes.
    @discardableResult
    mutating func writeShortString(_ string: String, maximumLength: Int = ByteBuffer.maximumShortStringLength) -> Int {
        let utf8 = string.utf8
        let length = utf8.count <= maximumLength ? utf8.count : ByteBuffer.truncatedUTF8Length(utf8, maximumLength)
        var written = self.writeInteger(UInt16(length))
        if length == utf8.count {
            written += self.writeString(string)
        } else {
            written += self.writeBytes(utf8.prefix(length))
        }
        return written
    }

    /// The encoded size of `writeShortString(string, maximumLength:)`.
    static func shortStringSize(_ string: String, maximumLength: Int = ByteBuffer.maximumShortStringLength) -> Int {
        let utf8 = string.utf8
        let length = utf8.count <= maximumLength ? utf8.count : ByteBuffer.truncatedUTF8Length(utf8, maximumLength)
        return 2 + length
    }

    /// The largest prefix length of `utf8`, at most `maximum`, that ends on a
    /// Unicode scalar boundary.
    static func truncatedUTF8Length(_ utf8: String.UTF8View, _ maximum: Int) -> Int {
        var length = maximum
        var index = utf8.index(utf8.startIndex, offsetBy: length)
        // Step back over continuation bytes (0b10xx_xxxx).
        while length > 0, utf8[index] & 0xC0 == 0x80 {
            length -= 1
            index = utf8.index(before: index)
        }
        return length
    }

    /// Reads a u16 length and that many bytes of valid UTF-8.
    mutating func readShortString(field: String, of type: FrameType) throws(FrameDecodingError) -> String {
        guard let length = self.readInteger(as: UInt16.self) else {
            throw .malformedPayload(type: type, reason: "\(field) length missing")
        }
        return try self.readValidatedString(length: Int(length), field: field, of: type)
    }

    /// Reads `length` bytes of valid UTF-8.
    mutating func readValidatedString(length: Int, field: String, of type: FrameType) throws(FrameDecodingError) -> String {
        let string: String?
        do {
            string = try self.readUTF8ValidatedString(length: length)
        } catch {
            throw .malformedPayload(type: type, reason: "\(field) is not valid UTF-8")
        }
        guard let string else {
            throw .malformedPayload(type: type, reason: "\(field) truncated")
        }
        return string
    }

    /// Writes metadata: u16 count, then per entry a u8-length key and a
    /// u16-length value.
    mutating func writeMetadata(_ metadata: Metadata) {
        let count = min(metadata.count, Int(UInt16.max))
        self.writeInteger(UInt16(count))
        for entry in metadata.prefix(count) {
            self.writeShortKey(entry.key)
            self.writeShortString(entry.value)
        }
    }

    /// The encoded size of `writeMetadata(metadata)`.
    static func metadataSize(_ metadata: Metadata) -> Int {
        var size = 2
        for entry in metadata.prefix(Int(UInt16.max)) {
            let keyLength = entry.key.utf8.count <= Metadata.maximumKeyLength
                ? entry.key.utf8.count : ByteBuffer.truncatedUTF8Length(entry.key.utf8, Metadata.maximumKeyLength)
            size += 1 + keyLength + ByteBuffer.shortStringSize(entry.value)
        }
        return size
    }

    private mutating func writeShortKey(_ key: String) {
        let utf8 = key.utf8
        let length = utf8.count <= Metadata.maximumKeyLength
            ? utf8.count : ByteBuffer.truncatedUTF8Length(utf8, Metadata.maximumKeyLength)
        self.writeInteger(UInt8(length))
        self.writeBytes(utf8.prefix(length))
    }

    /// Reads metadata written by `writeMetadata`, validating every key.
    mutating func readMetadata(of type: FrameType) throws(FrameDecodingError) -> Metadata {
        guard let count = self.readInteger(as: UInt16.self) else {
            throw .malformedPayload(type: type, reason: "metadata count missing")
        }
        var entries: [Metadata.Entry] = []
        entries.reserveCapacity(min(Int(count), self.readableBytes / 3))
        for _ in 0..<count {
            guard let keyLength = self.readInteger(as: UInt8.self), keyLength > 0 else {
                throw .malformedPayload(type: type, reason: "metadata key missing or empty")
            }
            guard let keyBytes = self.readSlice(length: Int(keyLength)) else {
                throw .malformedPayload(type: type, reason: "metadata key truncated")
            }
            guard keyBytes.readableBytesView.allSatisfy(Metadata.isKeyByte) else {
                throw .malformedPayload(type: type, reason: "metadata key has a byte outside a-z 0-9 - _ .")
            }
            let key = String(buffer: keyBytes)
            let value = try self.readShortString(field: "metadata value", of: type)
            entries.append(Metadata.Entry(key: key, value: value))
        }
        return Metadata(entries)
    }
}
