package import Foundation
import KiemTransport
package import X509

/// Certificate revocation lists made by Debian's `openssl ca -gencrl`, not
/// by Kiem's own code, so that kiemd is tested against a CRL as a CA makes
/// one.
package enum TestCRL {
    /// The `openssl` binary, if installed (`.ci/run` installs it).
    package static let openssl: URL? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { URL(fileURLWithPath: "\($0)/openssl") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Why a CRL could not be made.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Writes a PEM CRL of `pki`'s CA to `file` that lists `revoked` (revoked a
    /// minute before now), made with `openssl ca -gencrl` in a scratch
    /// folder beside `file`.
    package static func write(_ file: URL, pki: TestPKI, revoked: [Certificate]) async throws {
        guard let openssl else { throw Failure(description: "openssl is not on PATH (apt-get install openssl)") }
        let folder = file.deletingLastPathComponent().appendingPathComponent(".crl-\(UUID().uuidString)")
        try pki.writeCA(to: folder)
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyMMddHHmmss'Z'"
        let index = revoked.map { certificate in
            let serial = certificate.serialNumber.bytes.map { String(format: "%02X", $0) }.joined()
            return ["R", format.string(from: certificate.notValidAfter), format.string(from: Date().addingTimeInterval(-60)),
                    serial, "unknown", "/CN=\(serial)"].joined(separator: "\t")
        }
        try (index.isEmpty ? "" : index.joined(separator: "\n") + "\n")
            .write(to: folder.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(to: folder.appendingPathComponent("crlnumber"), atomically: true, encoding: .utf8)
        try """
            [ ca ]
            default_ca = test
            [ test ]
            database = \(folder.path)/index.txt
            crlnumber = \(folder.path)/crlnumber
            default_md = sha256
            default_crl_days = 30
            """.write(to: folder.appendingPathComponent("openssl.cnf"), atomically: true, encoding: .utf8)
        let outcome = try await ChildProcess(openssl, [
            "ca", "-batch", "-config", folder.appendingPathComponent("openssl.cnf").path, "-gencrl",
            "-keyfile", folder.appendingPathComponent("ca.key").path, "-cert", folder.appendingPathComponent("ca.crt").path,
            "-out", file.path,
        ]).finished()
        try? FileManager.default.removeItem(at: folder)
        guard outcome.status == 0 else { throw Failure(description: "openssl ca -gencrl failed: \(outcome)") }
    }
}
