/// The lowercase slug rule shared by organisation and node identifiers:
/// starts with a letter, then letters, digits or hyphens, no trailing hyphen.
enum Slug {
    static func validate(_ text: String, kind: String, maxLength: Int) throws(IdentifierError) {
        func fail(_ reason: String) -> IdentifierError {
            IdentifierError(kind: kind, input: text, reason: reason)
        }
        let bytes = Array(text.utf8)
        guard bytes.count >= 2 else { throw fail("must be at least 2 characters") }
        guard bytes.count <= maxLength else { throw fail("must be at most \(maxLength) characters") }
        guard bytes[0] >= UInt8(ascii: "a") && bytes[0] <= UInt8(ascii: "z") else {
            throw fail("must start with a lowercase letter")
        }
        for byte in bytes {
            let isLetter = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard isLetter || isDigit || byte == UInt8(ascii: "-") else {
                throw fail("may contain only lowercase letters, digits and '-'")
            }
        }
        guard bytes.last != UInt8(ascii: "-") else { throw fail("must not end with '-'") }
    }
}
