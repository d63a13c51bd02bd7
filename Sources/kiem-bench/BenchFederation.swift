import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KiemConfiguration
import KiemCore
import KiemNode
import KiemStore
import KiemTestSupport
import KiemTransport
import Logging

/// A throwaway federation for the node scenarios: a CA and node
/// certificates written with the same code as `kiemctl pki`, store folders,
/// a signed corpus, and `kiemd` child processes.
struct BenchFederation {
    let root: String
    private let caDirectory: String

    init(label: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kiem-bench-\(label)-\(UUID().uuidString)").path
        caDirectory = root + "/ca"
        _ = try FederationPKI.initCA(directory: caDirectory, name: "Kiem bench federation", validityDays: 2, force: false, now: Date())
    }

    /// Removes every file of the run.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Issues a certificate for `node` and returns its TLS files.
    func issue(_ organisation: OrganisationID, _ node: NodeID) throws -> NodeConfiguration.TLSFiles {
        let folder = "\(root)/\(node)/tls"
        if !FileManager.default.fileExists(atPath: folder + "/node.crt") {
            _ = try FederationPKI.issue(
                caDirectory: caDirectory, organisation: organisation, node: node, oin: nil, validityDays: 2,
                outDirectory: folder, force: false, now: Date())
        }
        return .init(key: folder + "/node.key", certificate: folder + "/node.crt", ca: folder + "/ca.crt")
    }

    /// A node's configuration: data in `root/<node>/data`, loopback only.
    func configuration(
        _ organisation: String, _ node: String, port: Int = 0, peers: [NodeConfiguration.Peer] = [],
        metricsPort: Int? = nil
    ) throws -> NodeConfiguration {
        let organisationID = try OrganisationID(organisation)
        let nodeID = try NodeID(node)
        return NodeConfiguration(
            organisation: organisationID, node: nodeID, dataDirectory: "\(root)/\(node)/data",
            listen: .init(host: "127.0.0.1", port: port), tls: try issue(organisationID, nodeID), peers: peers,
            metrics: metricsPort.map { .init(host: "127.0.0.1", port: $0) }, logLevel: .warning)
    }

    /// The corpus with each origin's proofs: its hash chain over every op,
    /// its signature every `signEvery` ops of that origin and on its last
    /// (as an origin signs after each write, and a bulk write after its
    /// last op); and the origins' certificates.
    func signedCorpus(_ ops: [Op], signEvery: UInt64 = 500) throws -> (ops: [EncodedOp], certificates: [StoredCertificate]) {
        var last: [NodeID: UInt64] = [:]
        var organisations: [NodeID: OrganisationID] = [:]
        for op in ops {
            last[op.origin] = op.id.seq
            organisations[op.origin] = op.author
        }
        var keys: [NodeID: OriginSigningKey] = [:]
        var certificates: [StoredCertificate] = []
        for (node, organisation) in organisations {
            let files = try issue(organisation, node)
            keys[node] = try OriginSigningKey(try PEMFiles.privateKey(at: files.key))
            certificates.append(StoredCertificate(
                node: node, organisation: organisation, chainPEM: try String(contentsOfFile: files.certificate, encoding: .utf8)))
        }
        var chains: [NodeID: [UInt8]] = [:]
        let signed = try ops.map { op in
            let chain = OpChain.link(chains[op.origin] ?? OpChain.genesis, header: op.headerBytes)
            chains[op.origin] = chain
            let seq = op.id.seq
            let signature = seq % signEvery == 0 || seq == last[op.origin]
                ? try keys[op.origin]!.signature(for: SignedHead(origin: op.origin, seq: seq, chain: chain).message) : nil
            return EncodedOp(op, proof: OpProof(chain: chain, signature: signature))
        }
        return (signed, certificates)
    }

    /// Writes signed ops and the origins' certificates into the store of
    /// `configuration`, as if the node had received them.
    func seed(_ configuration: NodeConfiguration, with ops: [EncodedOp], certificates: [StoredCertificate]) throws {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try KiemStore.open(path: configuration.storePath)
        try SignedHistory.seed(store, with: ops)
        for certificate in certificates { try store.saveCertificate(certificate) }
        try store.close()
    }

    /// Starts `kiemd` (built next to this benchmark) on `configuration`.
    func startDaemon(_ configuration: NodeConfiguration) throws -> Process {
        guard let kiemd = BuiltExecutable("kiemd") else {
            throw BenchError("kiemd was not built next to kiem-bench: swift build -c release --product kiemd")
        }
        let folder = "\(root)/\(configuration.node)"
        try configuration.toml.write(toFile: folder + "/kiemd.toml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = kiemd.url
        process.arguments = ["--config", folder + "/kiemd.toml"]
        _ = FileManager.default.createFile(atPath: folder + "/kiemd.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/kiemd.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// Stops a daemon with SIGTERM and waits for it.
    static func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    /// Reads `kiem_ops` from a daemon's /metrics; nil while it does not answer.
    static func scrapeOps(metricsPort: Int) async -> UInt64? {
        guard let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!) else {
            return nil
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("kiem_ops ") }) else { return nil }
        return Double(line.split(separator: " ").last ?? "").map { UInt64($0) }
    }

    /// Polls a daemon's /metrics every `interval` until it holds `ops` ops.
    func waitForOps(
        _ ops: UInt64, of daemon: Process, _ configuration: NodeConfiguration, timeout: Double = 600,
        interval: Duration = .milliseconds(20)
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            guard daemon.isRunning else {
                let log = (try? String(contentsOfFile: "\(root)/\(configuration.node)/kiemd.log", encoding: .utf8)) ?? ""
                throw BenchError("kiemd \(configuration.node) exited with status \(daemon.terminationStatus):\n\(log)")
            }
            if let held = await Self.scrapeOps(metricsPort: configuration.metrics!.port), held >= ops { return }
            try await Task.sleep(for: interval)
        }
        throw BenchError("the daemon did not reach \(ops) ops within \(timeout) s")
    }
}

/// A benchmark that cannot run, with the reason.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
