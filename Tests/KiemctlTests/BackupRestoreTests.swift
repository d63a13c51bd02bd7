import Foundation
import KiemConfiguration
import KiemNode
import KiemTestSupport
import Testing

/// `kiemctl backup`, `kiemd --restore` and `kiemd --rebuild-from-peers`
/// over real kiemd processes on loopback TLS: a node restored from an old
/// backup, or rebuilt on an empty store, signs no seq twice: no equivocation
/// on any node, and one digest.
@Suite("Backup and restore over real kiemd processes", .serialized, .timeLimit(.minutes(5)))
struct BackupRestoreTests {
    let root: URL
    let uwvNode: LoopbackNode
    let svbNode: LoopbackNode
    let uwvConfiguration: NodeConfiguration
    let svbConfiguration: NodeConfiguration

    init() throws {
        let pki = try TestPKI()
        root = try TestPKI.temporaryDirectory("kiem-backup")
        (uwvNode, svbNode) = (try LoopbackNode("uwv", "uwv-1"), try LoopbackNode("svb", "svb-1"))
        uwvConfiguration = try uwvNode.configuration(pki: pki, root: root, peers: [svbNode])
        svbConfiguration = try svbNode.configuration(pki: pki, root: root, peers: [uwvNode])
    }

    @Test("back up, write ten more, restore, write: the node pulls its own ops back first; no equivocation, one digest")
    func restoreFromAnOldBackup() async throws {
        var uwv = try await start(uwvNode, uwvConfiguration)
        var svb = try await start(svbNode, svbConfiguration)
        let id = try await write(3, on: uwv)
        let backup = root.appendingPathComponent("uwv-1.kiem").path
        let made = try await uwv.kiemctl("backup", "--out", backup)
        #expect(made.status == 0, "\(made)")
        #expect(made.stdout.hasPrefix("backup written to \(backup): ") && made.stdout.contains("uwv-1:3"), "\(made)")
        let again = try await uwv.kiemctl("backup", "--out", backup)
        #expect(again.status == 1 && again.stderr.contains("exists; give --force"), "\(again)")
        let forced = try await uwv.kiemctlJSON("backup", "--out", backup, "--force")
        #expect((forced["versionVector"] as? [String: Int])?["uwv-1"] == 3, "\(forced)")

        _ = try await write(10, on: uwv, to: id)
        try await synchronise(uwv)
        let whileRunning = try await kiemd("--restore", backup, "--force", "--config", uwv.configurationPath)
        #expect(whileRunning.status == 1 && whileRunning.stderr.contains("in use by another kiemd"), "\(whileRunning)")
        #expect(try await uwv.terminate() == 0)
        #expect(try await svb.terminate() == 0)

        let notForced = try await kiemd("--restore", backup, "--config", uwv.configurationPath)
        #expect(notForced.status == 1 && notForced.stderr.contains("holds a store already; give --force"), "\(notForced)")
        let restored = try await kiemd("--restore", backup, "--force", "--config", uwv.configurationPath)
        #expect(restored.status == 0 && restored.stdout.contains("restored \(backup) into"), "\(restored)")

        uwv = try await start(uwvNode, uwvConfiguration)
        try await expectWritesPaused(on: uwv, ownSeq: 3, because: "restored from \(backup)")
        svb = try await start(svbNode, svbConfiguration)
        try await expectResumes(uwv, svb: svb, ownSeq: 13, initiative: id)
        await stop(uwv, svb)
    }

    @Test("a lost node rebuilt from its peers alone (empty store, same certificate) continues its log after its last op")
    func rebuildFromPeers() async throws {
        var uwv = try await start(uwvNode, uwvConfiguration)
        var svb = try await start(svbNode, svbConfiguration)
        let id = try await write(5, on: uwv)
        try await synchronise(uwv)
        #expect(try await uwv.terminate() == 0)
        #expect(try await svb.terminate() == 0)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: uwvConfiguration.storePath + suffix) {
            try FileManager.default.removeItem(atPath: uwvConfiguration.storePath + suffix)
        }

        uwv = try await start(uwvNode, uwvConfiguration, arguments: ["--rebuild-from-peers"])
        try await expectWritesPaused(on: uwv, ownSeq: 0, because: "--rebuild-from-peers")
        svb = try await start(svbNode, svbConfiguration)
        try await expectResumes(uwv, svb: svb, ownSeq: 5, initiative: id)
        await stop(uwv, svb)
    }

    // MARK: Steps

    /// Starts kiemd for `node` and waits until it listens.
    private func start(_ node: LoopbackNode, _ configuration: NodeConfiguration, arguments: [String] = []) async throws -> KiemdProcess {
        let process = try KiemdProcess(configuration, folder: root.appendingPathComponent(node.node), arguments: arguments)
        try await process.waitUntilListening()
        return process
    }

    /// Runs the built kiemd to its end.
    private func kiemd(_ arguments: String...) async throws -> ChildProcess.Outcome {
        let kiemd = try #require(BuiltExecutable("kiemd"), "kiemd is not built next to the tests")
        return try await ChildProcess(kiemd.url, arguments, mergingStandardError: false).finished()
    }

    /// Writes `count` ops on `node`: a new initiative and progress entries,
    /// or only progress entries on `initiative`.
    /// - Returns: the initiative.
    @discardableResult
    private func write(_ count: Int, on node: KiemdProcess, to initiative: String? = nil) async throws -> String {
        var id = initiative
        for index in 0..<count {
            if let id {
                let logged = try await node.kiemctl("initiative", "progress", id, "--text", "stap \(index)")
                try #require(logged.status == 0, "\(logged)")
            } else {
                let created = try await node.kiemctlJSON("initiative", "create", "--title", "Herstelproef")
                id = try #require((created["initiative"] as? [String: Any])?["id"] as? String, "\(created)")
            }
        }
        return try #require(id)
    }

    /// One anti-entropy round of `node` with svb-1.
    private func synchronise(_ node: KiemdProcess) async throws {
        let synced = try await node.kiemctl("sync", "--peer", "svb-1")
        try #require(synced.status == 0, "kiemctl sync: \(synced)")
    }

    /// uwv-1 runs alone on a restored or rebuilt store: it refuses to write
    /// (FAILED_PRECONDITION, in words) and status says why.
    private func expectWritesPaused(on uwv: KiemdProcess, ownSeq: Int, because mark: String) async throws {
        let refused = try await uwv.kiemctl("initiative", "create", "--title", "Te vroeg")
        #expect(refused.status == 1 && refused.stderr.contains("never signs a seq twice") && refused.stderr.contains(mark),
                "\(refused)")
        let status = try await uwv.kiemctlJSON("status")
        #expect((status["versionVector"] as? [String: Int])?["uwv-1"] ?? 0 == ownSeq, "\(status)")
        #expect((status["writesPaused"] as? String)?.contains(mark) == true, "\(status)")
        let text = try await uwv.kiemctl("status")
        #expect(text.stdout.contains("writes paused"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: uwvConfiguration.restoreMarkPath))
    }

    /// With svb-1 back, uwv-1 pulls its own ops up to `ownSeq`, then writes
    /// `ownSeq + 1`; both nodes end with one digest and no equivocation.
    private func expectResumes(_ uwv: KiemdProcess, svb: KiemdProcess, ownSeq: Int, initiative: String) async throws {
        try await synchronise(uwv)
        #expect((try await uwv.kiemctlJSON("status")["versionVector"] as? [String: Int])?["uwv-1"] == ownSeq)
        let written = try await uwv.kiemctlJSON("initiative", "progress", initiative, "--text", "na het herstel")
        #expect(written["op"] as? String == "uwv-1:\(ownSeq + 1)", "\(written)")
        #expect(!FileManager.default.fileExists(atPath: uwvConfiguration.restoreMarkPath), "the mark goes once caught up")
        try await synchronise(uwv)
        let (left, right) = (try await uwv.kiemctlJSON("status"), try await svb.kiemctlJSON("status"))
        for status in [left, right] {
            #expect((status["equivocations"] as? [Any])?.isEmpty ?? true, "\(status)")
            #expect((status["versionVector"] as? [String: Int])?["uwv-1"] == ownSeq + 1, "\(status)")
            #expect(status["writesPaused"] == nil, "\(status)")
        }
        #expect(left["digest"] as? String != nil && left["digest"] as? String == right["digest"] as? String)
    }

    private func stop(_ processes: KiemdProcess...) async {
        for process in processes { _ = try? await process.terminate() }
    }
}
