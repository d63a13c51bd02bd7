import Foundation
import KiemConfiguration
import KiemCore
@testable import KiemNode
import KiemTestSupport
import Logging

/// A throwaway federation for tests: one CA, a temp folder, and node
/// configurations whose TLS files and data folders live in it. Nodes listen
/// on loopback port 0.
struct TestFederation: Sendable {
    let pki: TestPKI
    let root: URL

    init(_ label: String = "kiem-node") throws {
        pki = try TestPKI()
        root = try TestPKI.temporaryDirectory(label)
    }

    static let logger: Logger = {
        if ProcessInfo.processInfo.environment["KIEM_TEST_LOGS"] != nil {
            var logger = Logger(label: "kiem.test") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .debug
            return logger
        }
        return Logger(label: "kiem.test") { _ in SwiftLogNoOpLogHandler() }
    }()

    /// The configuration of a node, writing its certificate (issued by the
    /// federation CA for `certifiedOrganisation`, by default `organisation`).
    func configuration(
        _ organisation: String, _ node: String, peers: [NodeConfiguration.Peer] = [],
        certifiedOrganisation: String? = nil
    ) throws -> NodeConfiguration {
        let folder = root.appendingPathComponent(node)
        let tls = folder.appendingPathComponent("tls")
        try pki.node(certifiedOrganisation ?? organisation, node).write(to: tls)
        return NodeConfiguration(
            organisation: try OrganisationID(organisation), node: try NodeID(node),
            dataDirectory: folder.appendingPathComponent("data").path,
            listen: .init(host: "127.0.0.1", port: 0),
            tls: .init(key: tls.appendingPathComponent("node.key").path,
                       certificate: tls.appendingPathComponent("node.crt").path,
                       ca: tls.appendingPathComponent("ca.crt").path),
            peers: peers, metrics: nil)
    }

    /// Configurations of nodes in a ring, each listening on its own free
    /// loopback port and dialling the next.
    func ring(_ names: [(organisation: String, node: String)]) throws -> [NodeConfiguration] {
        var configurations = try names.map { try configuration($0.organisation, $0.node) }
        for index in configurations.indices {
            configurations[index].listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        }
        for index in configurations.indices {
            let next = configurations[(index + 1) % configurations.count]
            configurations[index].peers = [.init(address: next.listen, organisation: next.organisation, node: next.node)]
        }
        return configurations
    }

    /// Opens a node.
    func open(_ configuration: NodeConfiguration) async throws -> KiemNode {
        try await KiemNode.open(configuration, logger: Self.logger)
    }

    /// How another node reaches `node` (which must be open).
    static func peer(_ node: KiemNode, organisation: String? = nil) throws -> NodeConfiguration.Peer {
        NodeConfiguration.Peer(
            address: .init(host: "127.0.0.1", port: node.listenPort!),
            organisation: try organisation.map(OrganisationID.init) ?? node.configuration.organisation,
            node: node.configuration.node)
    }
}

/// Runs `nodes` while `body` runs, then stops them.
func running<T: Sendable>(_ nodes: [KiemNode], _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for node in nodes { group.addTask { try await node.run() } }
        do {
            let result = try await body()
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

enum TestTimeout: Error, CustomStringConvertible {
    case expired(String)

    var description: String {
        switch self {
        case let .expired(what): "timed out waiting for \(what)"
        }
    }
}

/// Waits until `condition` holds, re-checking it whenever one of `nodes`
/// stores something, takes a revocation, or a session opens or closes;
/// fails after `seconds`.
func waitUntil(
    _ what: String, nodes: [KiemNode], seconds: Double = 60, _ condition: @escaping @Sendable () throws -> Bool
) async throws {
    try await withDeadline(seconds: seconds, what) {
        while true {
            let generations = nodes.map {
                ($0.replicator.changes.generation, $0.replicator.registry.sessionsChanged.generation,
                 $0.replicator.revocations.changes.generation)
            }
            if try condition() { return }
            try Task.checkCancellation()
            await withTaskGroup(of: Void.self) { group in
                for (node, generation) in zip(nodes, generations) {
                    group.addTask { await node.replicator.changes.wait(after: generation.0) }
                    group.addTask { await node.replicator.registry.sessionsChanged.wait(after: generation.1) }
                    group.addTask { await node.replicator.revocations.changes.wait(after: generation.2) }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Waits until every node holds the same ops and the same visible state.
func waitForConvergence(_ nodes: [KiemNode], seconds: Double = 60) async throws {
    try await waitUntil("convergence of \(nodes.map(\.configuration.node))", nodes: nodes, seconds: seconds) {
        let vectors = Set(nodes.map(\.versionVector))
        guard vectors.count == 1 else { return false }
        return try Set(nodes.map { try $0.digest() }).count == 1
    }
}

extension InitiativeDraft {
    /// A small draft for tests.
    static func sample(_ title: String, themes: [String] = ["ai"]) -> InitiativeDraft {
        InitiativeDraft(title: title, summary: "Samenvatting van \(title)", themes: themes)
    }
}
