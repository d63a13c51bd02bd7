/// Crockford's base32 for 128-bit values (26 characters, the first carrying
/// 3 bits), as ULIDs use it. Decoding accepts lower case.
enum CrockfordBase32 {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func encode128(high: UInt64, low: UInt64) -> String {
        var chars = [UInt8](repeating: 0, count: 26)
        var hi = high
        var lo = low
        for index in stride(from: 25, through: 0, by: -1) {
            chars[index] = alphabet[Int(lo & 31)]
            lo = (lo >> 5) | ((hi & 31) << 59)
            hi >>= 5
        }
        return String(decoding: chars, as: UTF8.self)
    }

    static func decode128(_ text: String) -> (high: UInt64, low: UInt64)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 26 else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            guard let digit = value(of: byte) else { return nil }
            if index == 0 && digit > 7 { return nil }
            hi = (hi << 5) | (lo >> 59)
            lo = (lo << 5) | UInt64(digit)
        }
        return (hi, lo)
    }

    private static func value(of byte: UInt8) -> UInt8? {
        let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
        guard let index = alphabet.firstIndex(of: upper) else { return nil }
        return UInt8(index)
    }
}
