package import Foundation
public import KiemConfiguration
package import KiemCore
import KiemDashboard
import KiemProtocol
package import KiemStore
import KiemTransport
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// One Kiem node: the SQLite replica, the Sync service its peers call, and a
/// link to every configured peer. `kiemd` runs one as a service; tests run
/// several in one process, on real loopback TLS and real store files.
///
/// ```swift
/// let node = try await KiemNode.open(configuration, logger: logger)
/// try await node.run()   // until cancelled or graceful shutdown (SIGTERM)
/// ```
///
/// ``open(_:logger:)`` takes the data folder's lock, checks that the
/// certificate names the configured organisation and node, opens the store
/// and binds the listener (so ``listenPort`` is known before ``run()``).
public final class KiemNode: Service, Sendable {
    /// What the node was started with.
    public let configuration: NodeConfiguration
    /// The node's running totals.
    package let counters: NodeCounters
    let replicator: Replicator
    private let server: RPCServer
    private let controlServer: RPCServer
    private let peers: PeerSupervisor
    /// Ends revoked peers' sessions whenever a revocation arrives.
    private let revocationEnforcer: RevocationEnforcer
    private let lock: DataFolderLock
    let logger: Logger
    let metrics: MetricsEndpoint
    /// When the node's, the CA's and the peers' certificates expire.
    let certificates: CertificateWatch
    /// The web dashboard, when enabled.
    let dashboard: DashboardServer?
    private let stopRequested = ChangeSignal()
    private let stopped = ChangeSignal()
    private let serving = Mutex(false)

    private init(configuration: NodeConfiguration, counters: NodeCounters, metrics: MetricsEndpoint, certificates: CertificateWatch,
                 dashboard: DashboardServer?, replicator: Replicator, server: RPCServer, controlServer: RPCServer,
                 peers: PeerSupervisor, revocationEnforcer: RevocationEnforcer, lock: DataFolderLock, logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.certificates = certificates
        self.dashboard = dashboard
        self.counters = counters
        self.replicator = replicator
        self.server = server
        self.controlServer = controlServer
        self.peers = peers
        self.revocationEnforcer = revocationEnforcer
        self.lock = lock
        self.logger = logger
    }

    /// Opens the node described by `configuration` and binds its listener.
    /// - Parameter rebuildFromPeers: marks the store as rebuilt from peers
    ///   (`kiemd --rebuild-from-peers`, for a node whose store was lost):
    ///   like a restored one, it signs nothing until a peer has said how far
    ///   the node's own log goes (``OwnLogGate``).
    /// - Throws: ``NodeStartupError`` saying what to fix.
    public static func open(
        _ configuration: NodeConfiguration, rebuildFromPeers: Bool = false, logger: Logger
    ) async throws -> KiemNode {
        var logger = logger
        logger[metadataKey: "kiem.node"] = "\(configuration.node)"
        let lock = try DataFolderLock.lockingDataFolder(of: configuration)
        var openedStore: KiemStore?
        var openedServer: RPCServer?
        do {
            let identity: NodeTLSIdentity
            do {
                identity = try NodeTLSIdentity.load(
                    privateKeyFile: configuration.tls.key, certificateChainFile: configuration.tls.certificate,
                    trustRootsFile: configuration.tls.ca, logger: logger)
            } catch {
                throw NodeStartupError("TLS: \(error)")
            }
            let metrics = MetricsEndpoint()
            let counters = NodeCounters(factory: metrics.factory)
            let allowList = InboundAllowList(policy: configuration.accept, counters: counters)
            // Opening migrates the store and reading it back takes long on a
            // big replica: on the thread pool, not a task's thread.
            let pool = NIOThreadPool.singleton
            let store = try await pool.runIfActive { try KiemStore.open(path: configuration.storePath) }
            openedStore = store
            let revocations = RevocationBook(
                store: store, roots: identity.trustRoots, intermediates: Array(identity.certificateChain.dropFirst()),
                counters: counters, logger: logger)
            try await revocations.loadStored()
            if let crl = configuration.tls.crl {
                do {
                    try await revocations.loadCRL(path: crl)
                } catch {
                    throw NodeStartupError("[tls] crl: \(error)")
                }
            }
            let serverTLS = try KiemTLSContext(
                role: .server, identity: identity, applicationProtocols: [RPCServer.applicationProtocol], logger: logger,
                admission: { allowList.refusal(for: $0) ?? revocations.refusal(for: $0) })
            let clientTLS = try KiemTLSContext(
                role: .client, identity: identity, applicationProtocols: [RPCServer.applicationProtocol], logger: logger,
                admission: revocations.refusal(for:))
            let own: PeerIdentity
            switch await serverTLS.verifier.verify(presentedChain: identity.certificateChain, at: Date()) {
            case let .success(verified): own = verified
            case let .failure(refusal):
                throw NodeStartupError("the certificate \(configuration.tls.certificate) would be refused by peers: \(refusal)")
            }
            guard own.organisation == configuration.organisation, own.node == configuration.node else {
                throw NodeStartupError(
                    "the certificate \(configuration.tls.certificate) names organisation \(own.organisation), node \(own.node), "
                        + "but the configuration says organisation \(configuration.organisation), node \(configuration.node)")
            }
            let signingKey = try OriginSigningKey(identity.privateKey, source: configuration.tls.key)

            let oplog = try await pool.runIfActive {
                let mark: RestoreMark? = try rebuildFromPeers
                    ? StoreRestore.markRebuild(configuration) : RestoreMark.load(path: configuration.restoreMarkPath)
                return try OpLog(store: store, node: configuration.node, organisation: configuration.organisation, key: signingKey,
                                 restoreMark: mark, heldOpQuota: configuration.limits.heldOpQuota)
            }
            let peerChanges = try await pool.runIfActive { try PeerChanges.load(path: configuration.peerChangesPath) }
            let directory = OriginDirectory(store: store, verifier: serverTLS.verifier)
            for (node, reason) in try await directory.loadStored() {
                logger.warning("a stored origin certificate no longer validates", metadata: [
                    "kiem.origin": "\(node)", "kiem.error": "\(reason)",
                ])
            }
            try await directory.learn(own)
            let replicator = Replicator(
                oplog: oplog, directory: directory, registry: PeerRegistry(local: configuration.node, logger: logger),
                changes: ChangeSignal(), revocations: revocations, role: configuration.role, counters: counters,
                streamLimits: configuration.limits.syncAdmission, logger: logger)
            let peers = PeerSupervisor(
                list: PeerList(
                    configured: configuration.peers, changes: peerChanges,
                    local: configuration.node),
                changesPath: configuration.peerChangesPath, replicator: replicator, tls: clientTLS, allowList: allowList,
                logger: logger)
            let certificates = CertificateWatch(
                node: configuration.node, identity: identity, directory: directory, registry: replicator.registry, logger: logger)
            let dashboard = configuration.dashboard.enabled ? try DashboardServer(
                settings: configuration.dashboard, trustRoots: configuration.tls.ca,
                dashboard: Dashboard(
                    source: NodeDashboardSource(overviews: OverviewSource(replicator: replicator),
                                                peerReports: PeerReports(peers: peers, replicator: replicator)),
                    node: configuration.node.rawValue),
                logger: logger) : nil
            var router = RPCRouter()
            SyncService.register(in: &router, replicator: replicator)
            let server: RPCServer
            do {
                // Peers that read slowly or not at all hold calls back; the
                // log says when more of them wait at once than ever before.
                var connection = RPCConnectionConfiguration()
                connection.waitingWriters = RPCWaitingWriters { [logger] waiting in
                    logger.notice("more calls than ever wait for their peers to read", metadata: ["kiem.calls_waiting": "\(waiting)"])
                }
                server = try await RPCServer.bind(
                    .tls(host: configuration.listen.host, port: configuration.listen.port, context: serverTLS),
                    router: router, configuration: connection, limits: configuration.limits.connectionLimits, logger: logger)
            } catch {
                throw NodeStartupError("cannot listen on \(configuration.listen): \(error)")
            }
            openedServer = server
            let enforcer = RevocationEnforcer(
                book: revocations, server: server, peers: peers, directory: directory, node: configuration.node,
                organisation: configuration.organisation, logger: logger)
            let controlServer = try await bindControlSocket(
                ControlService(configuration: configuration, replicator: replicator, peers: peers, server: server,
                               certificates: certificates, tls: clientTLS, revocationEnforcer: enforcer,
                               started: Date(), logger: logger),
                path: configuration.controlSocketPath, logger: logger)
            try PIDFile.write(path: configuration.pidPath)
            if let paused = oplog.writesPaused {
                logger.warning("local writes wait for a peer", metadata: ["kiem.reason": "\(paused)"])
            }
            logger.info("node opened", metadata: [
                "kiem.organisation": "\(configuration.organisation)", "kiem.role": "\(configuration.role.rawValue)",
                "kiem.store": "\(configuration.storePath)", "kiem.vector": "\(oplog.versionVector)",
                "kiem.listen": "\(server.localAddress.map { "\($0)" } ?? "?")",
                "kiem.control": "\(configuration.controlSocketPath)", "kiem.accept": "\(configuration.accept.rawValue)",
            ])
            return KiemNode(configuration: configuration, counters: counters, metrics: metrics, certificates: certificates,
                            dashboard: dashboard,
                            replicator: replicator, server: server, controlServer: controlServer, peers: peers,
                            revocationEnforcer: enforcer, lock: lock,
                            logger: logger)
        } catch {
            await openedServer?.closeUnserved()
            try? openedStore?.close()
            lock.release()
            if error is NodeStartupError { throw error }
            throw NodeStartupError("\(error)")
        }
    }

    /// Binds the control API on the Unix domain socket `path`, mode 0600:
    /// only the daemon's user (and root) can connect.
    private static func bindControlSocket(_ service: ControlService, path: String, logger: Logger) async throws -> RPCServer {
        // sockaddr_un holds 108 bytes with the terminating NUL.
        guard path.utf8.count < 108 else {
            throw NodeStartupError("the control socket path \(path) is \(path.utf8.count) bytes; Unix sockets allow 107: use a shorter data_dir")
        }
        var router = RPCRouter()
        service.register(in: &router)
        do {
            return try await RPCServer.bind(
                .unixDomainSocket(path: path, permissions: 0o600), router: router, limits: .unlimited, logger: logger)
        } catch {
            throw NodeStartupError("cannot serve the control socket \(path): \(error)")
        }
    }

    /// The TCP port peers connect to (the bound one when configured as 0).
    package var listenPort: Int? { server.localAddress?.port }

    /// Serves peers and keeps every configured peer connected until the task
    /// is cancelled, ``shutdown()`` is called or a graceful shutdown begins
    /// (SIGTERM under `kiemd`); then stops accepting, ends the live streams,
    /// lets the batch in flight finish, and closes the store and the data
    /// folder lock.
    public func run() async throws {
        serving.withLock { $0 = true }
        do {
            try await serve()
        } catch {
            await close()
            throw error
        }
        await close()
    }

    /// The listeners and the services, until a stop.
    private func serve() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.server.run() }
                group.addTask { try await self.controlServer.run() }
                group.addTask { try await self.runServices() }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// The peer links, the metrics endpoint and the dashboard, until a stop
    /// is requested.
    private func runServices() async throws {
        try await withThrowingTaskGroup(of: Void.self) { services in
            services.addTask { await self.peers.run() }
            services.addTask { await self.certificates.run() }
            services.addTask { await self.revocationEnforcer.run() }
            if let address = configuration.metrics {
                let application = metrics.application(for: self, address: address)
                services.addTask {
                    do {
                        try await application.run()
                    } catch {
                        throw NodeStartupError("the metrics endpoint cannot serve on \(address): \(error)")
                    }
                }
            }
            if let dashboard { services.addTask { try await dashboard.run() } }
            services.addTask { await self.stopRequested.wait(after: 0) }
            defer { services.cancelAll() }
            try await services.next()
        }
    }

    /// Reads again what `kiemd` reads again on SIGHUP: the certificate
    /// revocation list (`[tls] crl`). A CRL that cannot be read or does not
    /// verify is logged and the one held stays.
    /// - Returns: one line saying what was reloaded, or why not.
    @discardableResult
    public func reload() async -> String {
        guard let path = configuration.tls.crl else { return "nothing to reload: [tls] crl is not set" }
        do {
            let list = try await replicator.revocations.loadCRL(path: path)
            revocationEnforcer.enforce()
            return "reloaded the CRL \(path): \(list.revoked.count) revoked certificates from \(list.issuer)"
        } catch {
            logger.error("the certificate revocation list could not be reloaded; the one held stays", metadata: [
                "kiem.crl": "\(path)", "kiem.error": "\(error)",
            ])
            return "the CRL \(path) was not reloaded: \(error)"
        }
    }

    /// The web dashboard's address (e.g. `http://127.0.0.1:9480/`) once it
    /// serves; nil before, and on a node without one.
    package var dashboardURL: URL? { dashboard?.url }

    /// Whether the node serves peers and is not shutting down (`/readyz`).
    package var isReady: Bool { serving.withLock { $0 } }

    /// Begins a graceful shutdown: ``run()`` returns once the live streams
    /// ended and the connections closed.
    package func shutdown() {
        logger.info("shutting down")
        serving.withLock { $0 = false }
        stopRequested.notify()
        replicator.stop()
        server.beginGracefulShutdown()
        controlServer.beginGracefulShutdown()
    }

    /// Returns once ``run()`` has closed the store and released the data
    /// folder (at once if it has).
    package func waitUntilStopped() async {
        await stopped.wait(after: 0)
    }

    private func close() async {
        serving.withLock { $0 = false }
        stopRequested.notify()
        replicator.stop()
        await replicator.oplog.close(on: NIOThreadPool.singleton)
        PIDFile.remove(path: configuration.pidPath)
        lock.release()
        logger.info("node stopped")
        stopped.notify()
    }

    // MARK: Writes

    /// Writes a local change as this node's next op; durable and pushed to
    /// connected peers when it returns.
    /// - Parameter initiative: the initiative to change (nil to create one).
    /// - Throws: ``WriteError`` (refused by a rule, unknown initiative, …).
    @discardableResult
    package func write(_ change: LocalChange, to initiative: InitiativeID? = nil) async throws -> Op {
        try await replicator.write(change, to: initiative).op
    }

    /// Creates an initiative owned by this node's organisation.
    package func create(_ draft: InitiativeDraft) async throws -> InitiativeID {
        try await write(.create(draft)).initiative
    }

    // MARK: Reads

    /// The store, for reads.
    package var store: KiemStore { replicator.store }

    /// What the replica holds.
    package var versionVector: VersionVector { replicator.oplog.versionVector }

    /// The digest of the replica's visible state; equal on converged nodes.
    package func digest() throws -> String { try store.digest() }

    /// Returns once the replica holds the op `id` (at once if it does), or
    /// when the task is cancelled.
    package func waitUntil(holds id: OpID) async {
        while !Task.isCancelled {
            let generation = replicator.changes.generation
            if versionVector.contains(id) { return }
            await replicator.changes.wait(after: generation)
        }
    }

    /// Which peers have a live session, and in which direction.
    package var connectedPeers: [NodeID: String] {
        replicator.registry.peers.compactMapValues { $0.connected?.rawValue }
    }
}
