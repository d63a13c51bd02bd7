public import KiemCore
internal import Crypto

/// An *Organisatie-identificatienummer*: the 20-digit number by which Dutch
/// government organisations identify each other in mutual TLS (Digikoppeling,
/// FSC, NLX). PKIoverheid certificates carry it in the Subject `serialNumber`
/// attribute, and Kiem node certificates do the same.
public struct OIN: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 20 ASCII digits.
    public let rawValue: String

    /// The prefix of every OIN that ``testOIN(for:)`` derives. Real OINs begin
    /// with `0000000`, so a derived test OIN never collides with a real one.
    public static let testPrefix = "99999"

    /// Validates `rawValue` as exactly 20 ASCII digits.
    public init(_ rawValue: String) throws(OINError) {
        let bytes = Array(rawValue.utf8)
        guard bytes.count == 20 else {
            throw OINError(input: rawValue, reason: "must be exactly 20 digits, got \(bytes.count) characters")
        }
        guard bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw OINError(input: rawValue, reason: "may contain only the digits 0-9")
        }
        self.rawValue = rawValue
    }

    /// A deterministic OIN for test federations only: ``testPrefix`` followed by
    /// 15 digits taken from SHA-256 of the organisation id. The same
    /// organisation always gets the same test OIN.
    public static func testOIN(for organisation: OrganisationID) -> OIN {
        let digest = SHA256.hash(data: Array("kiem-test-oin-v1:\(organisation.rawValue)".utf8))
        var value: UInt64 = 0
        for byte in digest.prefix(8) {
            value = value << 8 | UInt64(byte)
        }
        let digits = String(value % 1_000_000_000_000_000)
        let padded = String(repeating: "0", count: 15 - digits.count) + digits
        // 5 + 15 ASCII digits: always valid.
        return try! OIN(testPrefix + padded)
    }

    /// Whether this OIN has the shape of a derived test OIN.
    public var isTestOIN: Bool { rawValue.hasPrefix(Self.testPrefix) }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Why a string is not an ``OIN``.
public struct OINError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rejected input.
    public let input: String
    /// What is wrong with it, in words.
    public let reason: String

    public var description: String { "invalid OIN '\(input)': \(reason)" }
}
