import Foundation
import KiemConfiguration
import KiemCore
import KiemProtocol
import KiemStore
import KiemTransport
import KiemWire
import Logging
import NIOPosix
import SwiftProtobuf

/// The `kiem.v1.Control` service on the node's Unix domain socket: what
/// `kiemctl` calls. Handlers are thin: requests are read in
/// ``ControlRequests``, answers built in ControlProto; store reads run on the
/// thread pool, writes go through the ``Replicator`` like every local write.
struct ControlService: Sendable {
    let configuration: NodeConfiguration
    let replicator: Replicator
    let peers: PeerSupervisor
    /// The listener peers connect to: a removed peer's connections are closed on it.
    let server: RPCServer
    let certificates: CertificateWatch
    let tls: KiemTLSContext
    /// Ends revoked peers' sessions once a revocation is added.
    let revocationEnforcer: RevocationEnforcer
    let started: Date
    let logger: Logger
    var pool: NIOThreadPool = .singleton

    private var store: KiemStore { replicator.store }

    /// Adds the service's methods to `router`.
    func register(in router: inout RPCRouter) {
        router.unary(ControlAPI.status) { _, _ in try await status() }
        router.unary(ControlAPI.createInitiative) { request, _ in
            try await write([.create(try ControlRequests.draft(request))], to: nil)
        }
        router.unary(ControlAPI.editInitiative) { request, _ in
            try await write(try ControlRequests.changes(request), to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.setPhase) { request, _ in
            try await write([try ControlRequests.phase(request)], to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.logProgress) { request, _ in
            try await write([try ControlRequests.progress(request, today: Date())], to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.adopt) { request, _ in
            try await write([try ControlRequests.adoption(request)], to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.endorse) { request, _ in
            try await write([.setEndorsement(Endorsement(endorsed: request.endorsed, note: request.note))],
                            to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.annotate) { request, _ in
            try await write([try ControlRequests.annotation(request)], to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.archive) { request, _ in
            try await write([.setArchived(request.archived)], to: try ControlRequests.initiativeID(request.id))
        }
        router.unary(ControlAPI.queryInitiatives) { request, _ in try await query(request) }
        router.unary(ControlAPI.getInitiative) { request, _ in try await initiative(request) }
        router.unary(ControlAPI.listPeers) { _, _ in
            Kiem_V1_ListPeersResponse.with { $0.peers = PeerReports(peers: peers, replicator: replicator).all() }
        }
        router.unary(ControlAPI.addPeer) { request, _ in try await addPeer(request) }
        router.unary(ControlAPI.removePeer) { request, _ in try await removePeer(request) }
        router.serverStreaming(ControlAPI.watch) { request, events, _ in
            try await WatchFeed(replicator: replicator, filter: request, pool: pool).run(write: events.write)
        }
        router.serverStreaming(ControlAPI.sync) { request, progress, _ in try await sync(request, progress: progress) }
        router.unary(ControlAPI.backup) { request, _ in try await backup(request) }
        router.unary(ControlAPI.addRevocation) { request, _ in try await addRevocation(request) }
        router.unary(ControlAPI.listRevocations) { _, _ in listRevocations() }
        router.unary(ControlAPI.overview) { request, _ in
            let days = request.stalledAfterDays == 0 ? 90 : Int(request.stalledAfterDays)
            let overview = try await OverviewSource(replicator: replicator, pool: pool)
                .overview(filter: try ControlRequests.filter(request), stalledAfterDays: days)
            return overview.proto(
                syncHealth: PeerReports(peers: peers, replicator: replicator).all(),
                listLimit: try ControlRequests.listLimit(request))
        }
    }

    // MARK: Status and peers

    private func status() async throws -> Kiem_V1_StatusResponse {
        let store = self.store
        let deferred = replicator.oplog.deferredOrigins
        let (counts, digest, equivocations, held) = try await pool.runIfActive {
            (try store.counts(), try store.digest(), try store.equivocations(),
             try deferred.keys.map { ($0, try store.heldOpCount(of: $0)) })
        }
        let quota = replicator.oplog.heldOpQuota.perOrigin
        let vector = replicator.oplog.versionVector
        let reports = PeerReports(peers: peers, replicator: replicator).all()
        return Kiem_V1_StatusResponse.with {
            $0.nodeID = configuration.node.rawValue
            $0.organisation = configuration.organisation.rawValue
            $0.role = configuration.role.proto
            $0.softwareVersion = KiemSoftware.version
            $0.minProtocolVersion = UInt32(Preface.version1)
            $0.maxProtocolVersion = UInt32(Preface.version1)
            $0.uptimeSeconds = UInt64(max(0, Date().timeIntervalSince(started)))
            $0.versionVector = vector.proto
            $0.initiativeCount = UInt64(counts.initiatives)
            $0.opCount = UInt64(counts.ops)
            $0.heldOpCount = UInt64(counts.held)
            $0.rejectedOpCount = UInt64(counts.rejected)
            $0.peerCount = UInt32(reports.count)
            $0.connectedPeerCount = UInt32(reports.filter { $0.state == .connected }.count)
            $0.stateDigest = digest
            $0.equivocations = equivocations.map(\.proto)
            $0.peers = reports
            $0.certificates = certificates.current.map(\.proto)
            $0.accept = configuration.accept.proto
            $0.writesPaused = replicator.oplog.writesPaused ?? ""
            $0.deferredOrigins = held.sorted { $0.0 < $1.0 }.map { origin, count in
                Kiem_V1_DeferredOrigin.with {
                    $0.origin = origin.rawValue
                    $0.seq = deferred[origin] ?? 0
                    $0.held = UInt64(count)
                    $0.quota = UInt64(quota)
                }
            }
        }
    }

    // MARK: Backup

    /// Writes a consistent copy of the store to the requested file, on the
    /// thread pool (the copy reads the whole store), while writes go on.
    private func backup(_ request: Kiem_V1_BackupRequest) async throws -> Kiem_V1_BackupResponse {
        guard request.path.hasPrefix("/") else {
            throw ControlRequests.invalid("the backup file must be an absolute path, not '\(request.path)'")
        }
        let path = URL(fileURLWithPath: request.path).standardizedFileURL.path
        let storePath = URL(fileURLWithPath: configuration.storePath).standardizedFileURL.path
        guard ![storePath, storePath + "-wal", storePath + "-shm"].contains(path) else {
            throw ControlRequests.invalid("\(path) is the node's live store; write the backup elsewhere")
        }
        let store = self.store
        let made: StoreBackup
        do {
            made = try await pool.runIfActive { try store.backup(to: path, replacing: request.force) }
        } catch let error as StoreFile.Exists {
            throw RPCError(code: .alreadyExists, message: error.description)
        } catch {
            logger.error("backup failed", metadata: ["kiem.path": "\(path)", "kiem.error": "\(error)"])
            throw RPCError(code: .internalError, message: "the backup to \(path) failed: \(error)")
        }
        logger.notice("backup written", metadata: [
            "kiem.path": "\(path)", "kiem.bytes": "\(made.sizeBytes)", "kiem.ops": "\(made.counts.ops)",
            "kiem.vector": "\(made.versionVector)",
        ])
        return Kiem_V1_BackupResponse.with {
            $0.path = made.path
            $0.sizeBytes = made.sizeBytes
            $0.opCount = UInt64(made.counts.ops)
            $0.initiativeCount = UInt64(made.counts.initiatives)
            $0.versionVector = made.versionVector.proto
        }
    }

    /// Stops dialling the peer; under `accept = "peers"` also closes the
    /// connections it opened, which the allow-list no longer admits.
    private func removePeer(_ request: Kiem_V1_RemovePeerRequest) async throws -> Kiem_V1_RemovePeerResponse {
        guard !request.peer.isEmpty else { throw ControlRequests.invalid("peer (a node id or host:port) is required") }
        let removed: NodeConfiguration.Peer?
        do {
            removed = try await peers.remove(request.peer)
        } catch {
            throw RPCError(code: .internalError, message: "the peer list could not be saved: \(error)")
        }
        var closed = 0
        if let removed, configuration.accept == .peers {
            let allowList = peers.allowList
            closed = server.closeConnections { !allowList.admits($0) }
            logger.info("closed the connections of a removed peer", metadata: [
                "kiem.peer": "\(removed.node)", "kiem.connections": "\(closed)",
            ])
        }
        return Kiem_V1_RemovePeerResponse.with {
            $0.removed = removed != nil
            $0.accept = configuration.accept.proto
            $0.closedConnections = UInt32(closed)
        }
    }

    private func addPeer(_ request: Kiem_V1_AddPeerRequest) async throws -> Kiem_V1_Peer {
        guard let address = NodeConfiguration.Address(parsing: request.address) else {
            throw ControlRequests.invalid("address '\(request.address)' is not host:port")
        }
        let peer: NodeConfiguration.Peer
        do {
            peer = NodeConfiguration.Peer(
                address: address, organisation: try OrganisationID(request.organisation), node: try NodeID(request.nodeID))
        } catch {
            throw ControlRequests.invalid("a peer needs its node id and organisation: \(error)")
        }
        do {
            try await peers.add(peer)
        } catch let error as PeerListError {
            throw RPCError(code: .alreadyExists, message: error.description)
        } catch {
            throw RPCError(code: .internalError, message: "the peer list could not be saved: \(error)")
        }
        return PeerReports(peers: peers, replicator: replicator).report(of: peer)
    }

    // MARK: Initiatives

    /// Makes the changes one op each, in order; answers with the last op and
    /// the initiative afterwards.
    private func write(_ changes: [LocalChange], to id: InitiativeID?) async throws -> Kiem_V1_MutationResponse {
        var last: Op?
        do {
            for change in changes {
                last = try await replicator.write(change, to: id).op
            }
        } catch let error as WriteError {
            throw error.rpcError
        }
        guard let op = last else { throw ControlRequests.invalid("nothing to change") }
        let store = self.store
        let initiative = try await pool.runIfActive { try store.initiativeState(op.initiative) }
        return Kiem_V1_MutationResponse.with {
            $0.op = op.id.proto
            if let initiative { $0.initiative = initiative.proto }
        }
    }

    private func query(_ request: Kiem_V1_QueryInitiativesRequest) async throws -> Kiem_V1_QueryInitiativesResponse {
        func single<T>(_ values: [T], _ name: String) throws -> T? {
            guard values.count <= 1 else { throw ControlRequests.invalid("filter by one \(name) at a time") }
            return values.first
        }
        let phase = try single(request.phases, "phase").map { value -> Phase in
            guard let phase = value.phase else { throw ControlRequests.invalid("unknown phase \(value.rawValue)") }
            return phase
        }
        let query: InitiativeQuery
        do {
            query = InitiativeQuery(
                phase: phase, theme: try single(request.themes, "theme"),
                owner: try single(request.owners, "owner").map { try OrganisationID($0) },
                adoptedBy: try single(request.adoptedBy, "adopting organisation").map { try OrganisationID($0) },
                text: request.text.isEmpty ? nil : request.text, includeArchived: request.includeArchived,
                limit: request.pageSize == 0 ? 50 : Int(min(request.pageSize, 1_000)))
        } catch let error as RPCError {
            throw error
        } catch {
            throw ControlRequests.invalid("\(error)")
        }
        let store = self.store
        let found = try await pool.runIfActive { try store.initiatives(matching: query) }
        return Kiem_V1_QueryInitiativesResponse.with {
            $0.initiatives = found.map(\.proto)
            $0.totalCount = UInt64(found.count)
        }
    }

    private func initiative(_ request: Kiem_V1_GetInitiativeRequest) async throws -> Kiem_V1_GetInitiativeResponse {
        let id = try ControlRequests.initiativeID(request.id)
        let store = self.store
        let (found, derived) = try await pool.runIfActive {
            (try store.initiative(id),
             try store.initiatives(matching: InitiativeQuery(derivedFrom: id, includeArchived: true, limit: 1_000)))
        }
        guard let record = found else {
            throw RPCError(code: .notFound, message: "no initiative \(id) on this node")
        }
        return Kiem_V1_GetInitiativeResponse.with { response in
            response.initiative = record.initiative.proto
            response.derived = derived.map(\.proto)
            if request.includeHistory { response.history = record.history.map { $0.proto(in: record.initiative) } }
            response.heldOpCount = UInt32(record.history.filter {
                if case .held = $0.status { return true } else { return false }
            }.count)
        }
    }

    // MARK: Sync

    private func sync(_ request: Kiem_V1_SyncRequest, progress: RPCMessageWriter<Kiem_V1_SyncProgress>) async throws {
        let list = peers.list
        let selected = try request.peers.isEmpty ? list.effective : request.peers.map { name in
            guard let peer = list.peer(named: name) else {
                throw RPCError(code: .notFound, message: "\(name) is not a peer of this node (kiemctl peers list)")
            }
            return peer
        }
        let (reports, report) = AsyncStream.makeStream(of: Kiem_V1_SyncProgress.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { rounds in
                    for peer in selected {
                        let round = OnDemandSync(peer: peer, replicator: replicator, tls: tls, logger: logger)
                        rounds.addTask { await round.run { report.yield($0) } }
                    }
                }
                report.finish()
            }
            for await update in reports { try await progress.write(update) }
            try await group.waitForAll()
        }
    }
}
