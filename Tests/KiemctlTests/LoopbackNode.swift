import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemTestSupport

/// The configuration of a kiemd on loopback whose folder `root/<node>` holds
/// its certificate from `pki` (`tls/`) and its data folder (`data/`).
struct LoopbackNode {
    let organisation: String
    let node: String
    /// Where it listens.
    let port: Int

    /// A node on a free loopback port.
    init(_ organisation: String, _ node: String) throws {
        self.organisation = organisation
        self.node = node
        port = try freeLoopbackPort()
    }

    /// This node as a `[[peers]]` entry of another.
    var asPeer: NodeConfiguration.Peer {
        get throws {
            .init(address: .init(host: "127.0.0.1", port: port), organisation: try OrganisationID(organisation),
                  node: try NodeID(node))
        }
    }

    /// Writes its certificate (valid until `notValidAfter`; by default the
    /// test PKI's 30 days) and returns its configuration, metrics off.
    func configuration(
        pki: TestPKI, root: URL, peers: [LoopbackNode], notValidAfter: Date? = nil
    ) throws -> NodeConfiguration {
        let folder = root.appendingPathComponent(node)
        let tls = folder.appendingPathComponent("tls")
        let identity = if let notValidAfter {
            try pki.node(organisation, node, notValidBefore: pki.now.addingTimeInterval(-86_400), notValidAfter: notValidAfter)
        } else {
            try pki.node(organisation, node)
        }
        try identity.write(to: tls)
        return NodeConfiguration(
            organisation: try OrganisationID(organisation), node: try NodeID(node),
            dataDirectory: folder.appendingPathComponent("data").path,
            listen: .init(host: "127.0.0.1", port: port),
            tls: .init(key: tls.appendingPathComponent("node.key").path,
                       certificate: tls.appendingPathComponent("node.crt").path,
                       ca: tls.appendingPathComponent("ca.crt").path),
            peers: try peers.map { try $0.asPeer },
            metrics: nil)
    }

    /// Starts kiemd on `configuration` in its folder under `root`.
    func start(_ configuration: NodeConfiguration, root: URL) throws -> KiemdProcess {
        try KiemdProcess(configuration, folder: root.appendingPathComponent(node))
    }
}

extension KiemdProcess {
    /// Returns once the daemon has logged a line with `message` and each of
    /// `fields` (e.g. `kiem.peer=svb-1`) in it.
    func waitForLog(_ message: String, _ fields: String..., seconds: Double = 30) async throws {
        try await waitForLog("\(message) (\(fields.joined(separator: " ")))", seconds: seconds) { line in
            line.contains(message) && fields.allSatisfy { line.contains($0) }
        }
    }

    /// How many lines the daemon logged with `message` and each of `fields` in them.
    func logCount(_ message: String, _ fields: String...) -> Int {
        log.split(separator: "\n").filter { line in line.contains(message) && fields.allSatisfy { line.contains($0) } }.count
    }
}
