/// Ordered key/value pairs sent with OPEN (request metadata) and TRAILERS
/// (response metadata).
///
/// Keys are non-empty, at most 255 bytes, and use only `a-z 0-9 - _ .`
/// (lowercase, like HTTP/2 header names); values are UTF-8 text of at most
/// 65,535 bytes. A key may repeat; order is preserved.
public struct Metadata: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One key/value pair.
    public struct Entry: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The value.
        public var value: String

        /// Creates an entry.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The longest key in bytes.
    public static let maximumKeyLength = 255

    private var entries: [Entry]

    /// Creates empty metadata.
    public init() {
        self.entries = []
    }

    /// Creates metadata from entries, in order.
    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    public var startIndex: Int { self.entries.startIndex }
    public var endIndex: Int { self.entries.endIndex }
    public subscript(position: Int) -> Entry { self.entries[position] }

    /// Appends a pair; an existing pair with the same key stays.
    public mutating func add(_ value: String, forKey key: String) {
        self.entries.append(Entry(key: key, value: value))
    }

    /// The first value for `key`, if any.
    public subscript(key: String) -> String? {
        self.entries.first { $0.key == key }?.value
    }

    /// Whether `key` is a valid metadata key: 1 to 255 bytes of `a-z 0-9 - _ .`.
    public static func isValidKey(_ key: String) -> Bool {
        let utf8 = key.utf8
        guard !utf8.isEmpty, utf8.count <= Metadata.maximumKeyLength else { return false }
        return utf8.allSatisfy(Metadata.isKeyByte)
    }

    static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }
}
