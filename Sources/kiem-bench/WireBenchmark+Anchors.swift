import ArgumentParser
import Foundation
import KiemTestSupport

/// The anchors `kiem-bench wire` measures beside kiem: grpcio
/// (`deploy/bench/grpc_baseline.py`) and grpc-swift 2 (`deploy/bench/grpc-swift2`).
/// Each is a program of its own that runs its server in a child process, its
/// client in itself, and prints one JSON object as its last line.
extension WireBenchmark {
    /// What an anchor's JSON line reports.
    struct Anchor {
        var implementation: String
        var messagesPerSecond: Double
        var megabytesPerSecond: Double
        var unaryP50: Double
        var unaryP99: Double
        var tls13Checked: Bool
    }

    /// The workload options every anchor takes, as ours.
    var anchorWorkload: [String] {
        ["--json", "--messages", "\(self.messages)", "--size", "\(self.size)", "--unary", "\(self.unary)",
         "--unary-size", "\(self.unarySize)", "--warmup", "\(self.warmup)"]
    }

    /// The ratios against one anchor, under `key_…` names; "unavailable" if it did not run.
    static func compare(_ ours: Figures, with anchor: Anchor?, key: String, streamTarget: Double, p99Target: Double) -> [(String, BenchmarkReport.Figure)] {
        guard let anchor else {
            return [(key, .text("unavailable"))]
        }
        let streamRatio = ours.messagesPerSecond / anchor.messagesPerSecond
        let p99Ratio = ours.unaryP99 / anchor.unaryP99
        print("ratios against \(key): " + String(
            format: "streaming %.2fx (target >= %.0f), unary p99 %.2fx (target <= %.1f)",
            streamRatio, streamTarget, p99Ratio, p99Target))
        return [
            (key, .text(anchor.implementation)),
            ("\(key)_tls13_checked", .text(anchor.tls13Checked ? "true" : "false")),
            ("\(key)_stream_messages_per_second", .double(anchor.messagesPerSecond)),
            ("\(key)_stream_mb_per_second", .double(anchor.megabytesPerSecond)),
            ("\(key)_unary_p50_us", .double(anchor.unaryP50)),
            ("\(key)_unary_p99_us", .double(anchor.unaryP99)),
            ("\(key)_stream_ratio", .double(streamRatio)),
            ("\(key)_stream_ratio_target_min", .double(streamTarget)),
            ("\(key)_unary_p99_ratio", .double(p99Ratio)),
            ("\(key)_unary_p99_ratio_target_max", .double(p99Target)),
            ("\(key)_targets_met", .text(streamRatio >= streamTarget && p99Ratio <= p99Target ? "true" : "false")),
        ]
    }

    /// Runs grpc_baseline.py (installing grpcio first if it is missing);
    /// `nil`, with a note on why, if it cannot run.
    static func runGRPCIO(script: String, workload: [String]) async -> Anchor? {
        guard FileManager.default.fileExists(atPath: script) else {
            print("note: grpcio baseline unavailable: \(script) not found (run from the repository root)")
            return nil
        }
        guard let python = Self.findExecutable("python3") else {
            print("note: grpcio baseline unavailable: python3 not found")
            return nil
        }
        let check = ["-c", "import grpc, cryptography"]
        if await Self.run(python, check).status != 0 {
            let requirements = (script as NSString).deletingLastPathComponent + "/requirements.txt"
            print("grpcio missing: pip install -r \(requirements)")
            let install = await Self.run(python, ["-m", "pip", "install", "--quiet", "-r", requirements])
            let installed = install.status == 0 ? await Self.run(python, check).status == 0 : false
            if !installed {
                print("note: grpcio baseline unavailable: grpcio could not be installed:\n\(install.output.suffix(2000))")
                return nil
            }
        }
        // The PKI module issues node certificates named by a Kiem URN only; the
        // baseline checks the server certificate's SAN IP 127.0.0.1, so the
        // script makes its own throwaway P-256 CA (same key type and TLS 1.3 suite).
        print("grpcio baseline: \(python) \(script) --json (its own throwaway P-256 certificates: ours carry no IP SAN)")
        return await Self.runAnchor("grpcio", python, [script] + workload)
    }

    /// Runs the grpc-swift 2 anchor with our certificates (copied into the
    /// layout grpc_baseline.py reads; it checks the server's chain, not its
    /// name, as Kiem does); `nil`, with a note on why, if it is not built.
    static func runGRPCSwift2(executable: String, certificates directory: String, workload: [String]) async -> Anchor? {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            print("note: grpc-swift 2 anchor unavailable: \(executable) not built (cd deploy/bench/grpc-swift2 && swift build -c release)")
            return nil
        }
        let anchorDirectory = directory + "/grpc-swift2"
        do {
            try FileManager.default.createDirectory(atPath: anchorDirectory, withIntermediateDirectories: true)
            for (from, to) in [
                ("server/ca.crt", "ca.crt"), ("server/node.crt", "server.crt"), ("server/node.key", "server.key"),
                ("client/node.crt", "client.crt"), ("client/node.key", "client.key"),
            ] {
                try FileManager.default.copyItem(atPath: "\(directory)/\(from)", toPath: "\(anchorDirectory)/\(to)")
            }
        } catch {
            print("note: grpc-swift 2 anchor unavailable: cannot lay out its certificates: \(error)")
            return nil
        }
        print("grpc-swift 2 anchor: \(executable) --json (our PKI's certificates)")
        return await Self.runAnchor(
            "grpc-swift2", executable, ["--cert-dir", anchorDirectory, "--no-hostname-verification"] + workload)
    }

    /// Runs an anchor to its end and reads its last line.
    private static func runAnchor(_ name: String, _ executable: String, _ arguments: [String]) async -> Anchor? {
        let result = await Self.run(executable, arguments)
        let lines = result.output.split(separator: "\n").map(String.init)
        for line in lines.dropLast() {
            print("  \(name): \(line)")
        }
        guard result.status == 0, let last = lines.last,
            let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
            let mps = (object["stream_messages_per_second"] as? NSNumber)?.doubleValue,
            let p99 = (object["unary_p99_us"] as? NSNumber)?.doubleValue
        else {
            print("note: \(name) unavailable: it failed (exit \(result.status)): \(lines.last ?? "")")
            return nil
        }
        return Anchor(
            implementation: object["implementation"] as? String ?? name,
            messagesPerSecond: mps,
            megabytesPerSecond: (object["stream_mb_per_second"] as? NSNumber)?.doubleValue ?? 0,
            unaryP50: (object["unary_p50_us"] as? NSNumber)?.doubleValue ?? 0,
            unaryP99: p99,
            tls13Checked: (object["tls13_checked"] as? Bool) ?? false
        )
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to its end (output merged) without blocking a thread.
    private static func run(_ executable: String, _ arguments: [String]) async -> (status: Int32, output: String) {
        do {
            let outcome = try await ChildProcess(URL(fileURLWithPath: executable), arguments, input: Data()).finished(seconds: 900)
            return (outcome.status, outcome.stdout)
        } catch {
            return (-1, "\(error)")
        }
    }
}
