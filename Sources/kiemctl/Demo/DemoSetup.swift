import Foundation
import KiemConfiguration
import KiemTransport

/// Writes a fresh demo federation into its folder: a federation CA in
/// `DIR/ca/`, and per node a certificate in `DIR/<node>/tls/` and a
/// `DIR/<node>/kiemd.toml` on free loopback ports.
enum DemoSetup {
    /// Unix domain socket paths longer than this do not fit `sun_path`
    /// (104 bytes on macOS, 108 on Linux, with the terminating zero).
    static let maxSocketPathLength = 103

    /// Makes the demo folder: `path` (created if missing, refused unless
    /// empty), or a new folder `kiem-demo-<random>` in the temporary folder
    /// when `path` is nil. Returns it as an absolute path.
    static func prepareFolder(_ path: String?) throws -> String {
        let chosen = path ?? NSTemporaryDirectory() + "/kiem-demo-" + UUID().uuidString.prefix(8).lowercased()
        let folder = URL(fileURLWithPath: chosen).standardizedFileURL.path
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: folder), !contents.isEmpty {
            throw KiemctlFailure("""
                \(folder) is not empty: the demo sets up a new federation in a new or empty folder. \
                Pick another --dir, or remove this one (first `kiemctl demo stop --dir \(folder)` if its nodes still run). \
                To run an earlier demo's nodes again, start each with `kiemd --config \(folder)/<node>/kiemd.toml`.
                """)
        }
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw KiemctlFailure("cannot create \(folder): \((error as NSError).localizedDescription)")
        }
        return folder
    }

    /// Creates the CA, then each node's certificate and configuration file.
    /// Returns the configurations in the topology's order.
    static func write(_ topology: DemoTopology, now: Date) throws -> [NodeConfiguration] {
        if let long = topology.nodes.first(where: { $0.socketPath.utf8.count > maxSocketPathLength }) {
            throw KiemctlFailure("\(long.socketPath) is too long for a Unix socket (at most \(maxSocketPathLength) bytes): pick a shorter --dir")
        }
        do {
            _ = try FederationPKI.initCA(
                directory: topology.caFolder, name: "Kiem demo federation",
                validityDays: FederationPKI.defaultCAValidityDays, force: false, now: now)
            for node in topology.nodes {
                _ = try FederationPKI.issue(
                    caDirectory: topology.caFolder, organisation: node.organisation, node: node.node, oin: nil,
                    validityDays: FederationPKI.defaultNodeValidityDays, outDirectory: node.tlsFolder, force: false, now: now)
            }
        } catch let error as PKIError {
            throw KiemctlFailure(error.description)
        }
        let listenPorts = try DemoPorts.free(topology.nodes.count, from: DemoPorts.listenBase)
        let metricsPorts = try DemoPorts.free(topology.nodes.count, from: DemoPorts.metricsBase)
        let dashboardPort = try DemoPorts.free(1, from: DemoPorts.dashboardBase)[0]
        let listen = Dictionary(uniqueKeysWithValues: zip(topology.nodes.map(\.name), listenPorts))
        let configurations = zip(topology.nodes, metricsPorts).map { node, metricsPort in
            NodeConfiguration(
                organisation: node.organisation, node: node.node, role: node.role, dataDirectory: node.folder,
                listen: .init(host: "127.0.0.1", port: listen[node.name]!),
                tls: .init(
                    key: node.tlsFolder + "/" + FederationPKI.nodeKeyFileName,
                    certificate: node.tlsFolder + "/" + FederationPKI.nodeCertificateFileName,
                    ca: node.tlsFolder + "/" + FederationPKI.caCertificateFileName),
                peers: topology.dialled(by: node).map { peer in
                    .init(address: .init(host: "127.0.0.1", port: listen[peer.name]!), organisation: peer.organisation, node: peer.node)
                },
                metrics: .init(host: "127.0.0.1", port: metricsPort),
                dashboard: node.role == .regie
                    ? .init(listen: .init(host: "127.0.0.1", port: dashboardPort)) : .defaults(for: node.role))
        }
        for (node, configuration) in zip(topology.nodes, configurations) {
            do {
                try configuration.toml.write(toFile: node.configurationPath, atomically: true, encoding: .utf8)
            } catch {
                throw KiemctlFailure("cannot write \(node.configurationPath): \((error as NSError).localizedDescription)")
            }
        }
        return configurations
    }
}
