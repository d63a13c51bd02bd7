/// The preface as the WIRE.md section 3 table describes it, read with no
/// Kiem code: what `Preface.read` is checked against.
enum ReferencePreface: Equatable {
    /// A valid preface of this many bytes.
    case accepted(length: Int)
    /// A valid start; more bytes are needed.
    case needsMore
    /// A byte of the magic "KIEM" is wrong.
    case badMagic
    /// Complete enough to tell, and invalid.
    case malformed

    static func read(_ bytes: [UInt8]) -> ReferencePreface {
        let magic = Array("KIEM".utf8)
        for (byte, expected) in zip(bytes, magic) where byte != expected {
            return .badMagic
        }
        guard bytes.count >= 26 else { return .needsMore }
        func u16(_ at: Int) -> UInt32 { UInt32(bytes[at]) << 8 | UInt32(bytes[at + 1]) }
        func u32(_ at: Int) -> UInt32 { u16(at) << 16 | u16(at + 2) }
        let minVersion = u16(4), maxVersion = u16(6), frameSize = u32(8)
        let streamCredit = u32(12), connectionCredit = u32(16), extensionLength = Int(u16(24))
        guard extensionLength <= 1024 else { return .malformed }
        guard bytes.count >= 26 + extensionLength else { return .needsMore }
        let valid = minVersion >= 1 && minVersion <= maxVersion
            && (16 * 1024...16 * 1024 * 1024).contains(frameSize)
            && streamCredit <= 0x7FFF_FFFF && connectionCredit <= 0x7FFF_FFFF
        return valid ? .accepted(length: 26 + extensionLength) : .malformed
    }
}
