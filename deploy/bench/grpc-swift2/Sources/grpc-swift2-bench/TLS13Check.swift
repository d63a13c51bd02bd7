import Foundation

/// grpc-swift 2 cannot pin or report the TLS version (NIOSSL's client and
/// server allow 1.2 and 1.3 and BoringSSL picks 1.3 when both can), so, as
/// grpc_baseline.py does for grpcio, we check the running server from outside:
/// `openssl s_client -tls1_3` with the client certificate must negotiate
/// TLSv1.3 and verify the server's chain.
enum TLS13Check {
    static func run(port: Int, certDirectory: String, verifyIP: Bool) async -> (ok: Bool, detail: String) {
        guard let openssl = Subprocess.findExecutable("openssl") else {
            return (false, "openssl not found")
        }
        var arguments = [
            "s_client", "-tls1_3", "-alpn", "h2", "-connect", "127.0.0.1:\(port)",
            "-cert", certDirectory + "/client.crt", "-key", certDirectory + "/client.key",
            "-CAfile", certDirectory + "/ca.crt", "-verify_return_error", "-brief",
        ]
        if verifyIP {
            arguments += ["-verify_ip", "127.0.0.1"]
        }
        guard let (_, output) = try? await Subprocess.run(openssl, arguments) else {
            return (false, "openssl s_client could not run")
        }
        let tls13 = output.contains("Protocol version: TLSv1.3")
        let verified = output.contains("Verification: OK")
        let cipher = output.split(separator: "\n").first { $0.hasPrefix("Ciphersuite:") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "?"
        if tls13 && verified {
            return (true, "TLSv1.3 \(cipher), server chain verified")
        }
        let tail = output.split(separator: "\n").suffix(3).joined(separator: " | ")
        return (false, "did not negotiate TLSv1.3 with a verified chain: \(tail)")
    }
}

/// A process whose exit we await without blocking a thread.
enum Subprocess {
    /// Runs `executable arguments…` with standard input closed; returns its
    /// exit status and its output (both streams, through a temporary file).
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-swift2-bench-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        // Lossy: openssl's output also carries the server's raw HTTP/2 bytes (its SETTINGS frame).
        let text = String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self)
        return (status, text)
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
