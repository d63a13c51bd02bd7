public import Foundation
public import KiemProtocol
internal import SwiftProtobuf

/// The file `kiemctl pki revoke` writes and `kiemctl revocations add`
/// reads: a few lines saying what it revokes, for people, then the signed
/// revocation as a PEM-style block (base64 of a `kiem.v1.SignedRevocation`).
/// Only the block counts; the lines before it are not signed.
public enum RevocationFile {
    static let begin = "-----BEGIN KIEM REVOCATION-----"
    static let end = "-----END KIEM REVOCATION-----"

    /// The file's text.
    public static func text(_ verified: VerifiedRevocation) throws -> String {
        let revocation = verified.revocation
        let bytes: [UInt8] = try verified.signed.serializedBytes()
        let base64 = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let format = ISO8601DateFormatter()
        return ([
            "Kiem revocation of \(revocation), from \(format.string(from: revocation.revokedAt))",
            "Reason: \(revocation.reason)",
            "Issued: \(format.string(from: revocation.issuedAt))",
            "Id: \(verified.hexID)",
            begin, base64, end,
        ]).joined(separator: "\n") + "\n"
    }

    /// Reads the signed revocation in `text` (not yet checked against a CA).
    /// - Throws: ``RevocationError/malformed(_:)`` saying what is wrong.
    public static func signedRevocation(in text: String) throws(RevocationError) -> Kiem_V1_SignedRevocation {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.firstIndex(of: begin), let last = lines[first...].firstIndex(of: end) else {
            throw .malformed("it has no \(begin) block (is it a file from kiemctl pki revoke?)")
        }
        guard let bytes = Data(base64Encoded: lines[(first + 1)..<last].joined()) else {
            throw .malformed("its block is not base64")
        }
        guard bytes.count <= Revocation.maxSignedBytes + 16 else { throw .tooLarge(bytes: bytes.count) }
        do {
            return try Kiem_V1_SignedRevocation(serializedBytes: [UInt8](bytes))
        } catch {
            throw .malformed("its block does not decode: \(error)")
        }
    }
}
