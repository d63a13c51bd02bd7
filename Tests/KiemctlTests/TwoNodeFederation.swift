import Foundation
import KiemCore
import KiemNode
import KiemTestSupport
import Testing

/// Two real kiemd processes that dial each other over loopback TLS: uwv-1
/// (organisation uwv) and svb-1 (organisation svb), with certificates from a
/// throwaway CA. A suite with the ``Testing/Trait/twoNodes`` trait shares
/// one, started before its first test and stopped after its last.
struct TwoNodeFederation: Sendable {
    /// The federation of the suite that is running.
    @TaskLocal static var current: TwoNodeFederation?

    let uwv: KiemdProcess
    let svb: KiemdProcess

    /// Starts both daemons and returns once each has logged that it listens.
    static func start() async throws -> TwoNodeFederation {
        let pki = try TestPKI()
        let root = try TestPKI.temporaryDirectory("kiemctl")
        let (uwvNode, svbNode) = (try LoopbackNode("uwv", "uwv-1"), try LoopbackNode("svb", "svb-1"))
        let uwv = try uwvNode.start(try uwvNode.configuration(pki: pki, root: root, peers: [svbNode]), root: root)
        do {
            let svb = try svbNode.start(try svbNode.configuration(pki: pki, root: root, peers: [uwvNode]), root: root)
            let federation = TwoNodeFederation(uwv: uwv, svb: svb)
            do {
                try await uwv.waitUntilListening()
                try await svb.waitUntilListening()
            } catch {
                await federation.stop()
                throw error
            }
            return federation
        } catch {
            _ = try? await uwv.terminate()
            throw error
        }
    }

    /// Brings both nodes to the same state now, without waiting on time:
    /// `kiemctl sync --peer svb-1` on uwv-1 is one anti-entropy round that
    /// pulls everything svb-1 holds and pushes everything it lacks, and ends
    /// once both sides applied it. Afterwards both must show the same digest
    /// and version vector (`kiemctl status --json`).
    func synchronise() async throws {
        let synced = try await uwv.kiemctl("sync", "--peer", "svb-1")
        try #require(synced.status == 0, "kiemctl sync on uwv-1: \(synced)")
        let (left, right) = (try await uwv.kiemctlJSON("status"), try await svb.kiemctlJSON("status"))
        try #require(left["digest"] as? String != nil && left["digest"] as? String == right["digest"] as? String,
                     "uwv-1 and svb-1 differ after a sync: \(left) \(right)")
        try #require(left["versionVector"] as? [String: Int] == right["versionVector"] as? [String: Int])
    }

    /// Stops both daemons (SIGTERM; SIGKILL for one that does not exit).
    func stop() async {
        _ = try? await uwv.terminate()
        _ = try? await svb.terminate()
    }
}

extension KiemdProcess {
    /// Runs `kiemctl arguments… --socket <this node's socket>`.
    func kiemctl(_ arguments: String...) async throws -> KiemctlProcess.Outcome {
        try await KiemctlProcess.run(arguments + ["--socket", socketPath])
    }

    /// Runs `kiemctl arguments… --socket … --json` and parses its output.
    /// - Throws: unless it exits 0 with one JSON object.
    func kiemctlJSON(_ arguments: String...) async throws -> [String: Any] {
        let outcome = try await KiemctlProcess.run(arguments + ["--socket", socketPath, "--json"])
        try #require(outcome.status == 0, "kiemctl \(arguments.joined(separator: " ")) --json: \(outcome)")
        return try outcome.json()
    }
}

/// Gives a suite one ``TwoNodeFederation`` for all its tests.
struct TwoNodeFederationTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let federation = try await TwoNodeFederation.start()
        do {
            try await TwoNodeFederation.$current.withValue(federation, operation: function)
        } catch {
            await federation.stop()
            throw error
        }
        await federation.stop()
    }
}

extension Trait where Self == TwoNodeFederationTrait {
    /// Runs the suite against a shared ``TwoNodeFederation``.
    static var twoNodes: Self { Self() }
}
