import Foundation
import KiemTestSupport
import Testing

/// The real `kiemctl` binary with no daemon: exit status 3 when nothing
/// answers, 2 for a wrong command line, help and shell completion.
@Suite("kiemctl without a node")
struct KiemctlUsageTests {
    @Test("no daemon: exit status 3 and 'is kiemd running?', for reads, writes and streams, also with --json")
    func unreachable() async throws {
        let socket = try TestPKI.temporaryDirectory("kiemctl-none").appendingPathComponent("kiemd.sock").path
        for arguments in [["status"], ["status", "--json"], ["peers", "list"], ["initiative", "list"],
                          ["initiative", "create", "--title", "X"], ["watch"], ["sync"]] {
            let outcome = try await KiemctlProcess.run(arguments + ["--socket", socket])
            #expect(outcome.status == 3, "\(arguments): \(outcome)")
            #expect(outcome.stderr == "kiemctl: is kiemd running? no socket at \(socket)\n", "\(arguments): \(outcome)")
            #expect(outcome.stdout.isEmpty)
        }
        let fallback = try await KiemctlProcess.run(["status"], environment: ["KIEM_SOCKET": socket])
        #expect(fallback.status == 3 && fallback.stderr.contains(socket), "\(fallback)")
    }

    @Test("a wrong command line exits 2 with the reason, before any connection", arguments: [
        (["initiative", "phase", "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA", "finished"], "- idea\n  - experiment\n  - pilot\n  - proven\n  - scaling\n  - stopped"),
        (["initiative", "phase", "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA", "stopped"], "phase stopped needs --lessons"),
        (["initiative", "adopt", "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA", "--status", "maybe"], "'exploring', 'piloting', 'adopted' or 'dropped'"),
        (["initiative", "create"], "--title"),
        (["initiative", "show", "nope"], "invalid initiative id 'nope'"),
        (["initiative", "progress", "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA", "--text", "x", "--metric", "many"], "name=value"),
        (["peers", "add", "svb.example", "--node", "svb-1", "--org", "svb"], "is not host:port"),
        (["status", "--config", "/nonexistent/kiemd.toml"], "/nonexistent/kiemd.toml: cannot be read"),
        (["nonsense"], "Unexpected argument 'nonsense'"),
    ])
    func usage(arguments: [String], reason: String) async throws {
        let outcome = try await KiemctlProcess.run(arguments)
        #expect(outcome.status == 2, "\(outcome)")
        #expect(outcome.stderr.contains(reason), "\(outcome)")
    }

    @Test("--help documents the exit statuses, socket discovery and completion; subcommands have examples")
    func help() async throws {
        let root = try await KiemctlProcess.run(["--help"])
        #expect(root.status == 0)
        for expected in ["status", "peers", "initiative", "watch", "sync", "backup", "pki", "KIEM_SOCKET", "3  no daemon answers",
                         "--generate-completion-script bash"] {
            #expect(root.stdout.contains(expected), "--help lacks \(expected): \(root)")
        }
        let create = try await KiemctlProcess.run(["initiative", "create", "--help"])
        #expect(create.stdout.contains("Example:") && create.stdout.contains("--derived-from"), "\(create)")
        let backup = try await KiemctlProcess.run(["backup", "--help"])
        #expect(backup.stdout.contains("--force") && backup.stdout.contains("kiemd --restore FILE"), "\(backup)")
    }

    @Test("shell completion scripts come from ArgumentParser and offer subcommands and phase names", arguments: ["bash", "zsh", "fish"])
    func completion(shell: String) async throws {
        let outcome = try await KiemctlProcess.run(["--generate-completion-script", shell])
        #expect(outcome.status == 0, "\(outcome)")
        for expected in ["initiative", "peers", "watch", "proven", "piloting"] {
            #expect(outcome.stdout.contains(expected), "\(shell) completion lacks \(expected)")
        }
    }
}
