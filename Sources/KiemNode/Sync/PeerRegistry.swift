import Foundation
import KiemCore
import KiemProtocol
import KiemWire
import Logging
import Synchronization

/// The node's live sync sessions and what it knows about each peer: the
/// ops the peer is known to hold (so nothing is sent twice, not even back
/// to where it came from), and counters for status and metrics. Logs each
/// session as it opens and closes.
final class PeerRegistry: Sendable {
    /// What the node knows about one peer node.
    struct PeerState: Sendable {
        /// The ops the peer is known to hold: what it said it held at its
        /// latest handshake or subscription, and what it sent since.
        var knowledge = VersionVector()
        /// The ops sent to it since it last said what it held. A stream can
        /// break before they arrive, so only the stream that sent them
        /// counts on them; status and metrics show them as held.
        var sent = VersionVector()
        /// The live session's direction, if any.
        var connected: SessionTable.Direction?
        /// When a session with it last ended or was active.
        var lastSeen: Date?
        /// When it last sent a batch of ops.
        var lastBatch: Date?
        var opsReceived: UInt64 = 0
        var opsSent: UInt64 = 0
        var opsRejected: UInt64 = 0
        var integrityFailures: UInt64 = 0
        var lastError: String?

        /// What the peer holds, counting what was sent to it as arrived:
        /// for its lag in status and metrics.
        var assumedHoldings: VersionVector { knowledge.merging(sent) }
    }

    private struct State {
        var table: SessionTable
        var peers: [NodeID: PeerState] = [:]
        var cancels: [UInt64: ChangeSignal] = [:]
    }

    private let state: Mutex<State>
    private let logger: Logger
    /// Raised whenever a session opens or closes, or a peer's state changes.
    let sessionsChanged = ChangeSignal()

    init(local: NodeID, logger: Logger) {
        state = Mutex(State(table: SessionTable(local: local)))
        self.logger = logger
    }

    /// Runs `body` as the one session with `peer`; it ends with `body`, or
    /// with `CancellationError` when a session that wins over it opens.
    /// - Throws: ``RPCError`` `ALREADY_EXISTS` when another session with the
    ///   peer is kept instead.
    func withSession<T: Sendable>(
        peer: NodeID, direction: SessionTable.Direction, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let replaced = ChangeSignal()
        let decision = state.withLock { state -> SessionTable.Decision in
            let decision = state.table.open(peer: peer, direction: direction)
            if case let .accepted(session, _) = decision {
                state.cancels[session.id] = replaced
                state.peers[peer, default: PeerState()].connected = direction
                state.peers[peer, default: PeerState()].lastSeen = Date()
            }
            return decision
        }
        guard case let .accepted(session, replacing) = decision else {
            if case let .refused(keeping) = decision {
                throw RPCError(code: .alreadyExists, message: "a sync session with \(peer) is live already (\(keeping.direction))")
            }
            preconditionFailure("unreachable")
        }
        if let replacing { state.withLock { $0.cancels[replacing.id] }?.notify() }
        sessionsChanged.notify()
        let metadata: Logger.Metadata = ["kiem.peer": "\(peer)", "kiem.direction": "\(direction)"]
        logger.info("sync session opened", metadata: metadata)
        defer {
            state.withLock { state in
                state.table.close(session)
                state.cancels[session.id] = nil
                if state.table.sessions[peer] == nil { state.peers[peer]?.connected = nil }
                state.peers[peer]?.lastSeen = Date()
            }
            sessionsChanged.notify()
            logger.info("sync session closed", metadata: metadata)
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await replaced.wait(after: 0)
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next(), let value = result else { throw CancellationError() }
            return value
        }
    }

    /// The direction of the live session with `peer`, if any.
    func session(with peer: NodeID) -> SessionTable.Direction? {
        state.withLock { $0.table.sessions[peer]?.direction }
    }

    /// Waits until no session with `peer` is live.
    func waitUntilNoSession(with peer: NodeID) async {
        while !Task.isCancelled {
            let generation = sessionsChanged.generation
            if session(with: peer) == nil { return }
            await sessionsChanged.wait(after: generation)
        }
    }

    /// What `peer` is known to hold.
    func knowledge(of peer: NodeID) -> VersionVector {
        state.withLock { $0.peers[peer]?.knowledge ?? VersionVector() }
    }

    /// Replaces what `peer` is known to hold with what it said it holds.
    func setKnowledge(of peer: NodeID, to vector: VersionVector) {
        state.withLock { state in
            state.peers[peer, default: PeerState()].knowledge = vector
            state.peers[peer, default: PeerState()].sent = VersionVector()
        }
    }

    /// Records that `peer` holds these ops: it sent them.
    func peer(_ peer: NodeID, holds ops: some Sequence<OpID>) {
        state.withLock { state in
            for id in ops { state.peers[peer, default: PeerState()].knowledge.advance(id.origin, to: id.seq) }
        }
    }

    /// Records that these ops were sent to `peer` (see ``PeerState/sent``).
    func peer(_ peer: NodeID, wasSent ops: some Sequence<OpID>) {
        state.withLock { state in
            for id in ops { state.peers[peer, default: PeerState()].sent.advance(id.origin, to: id.seq) }
        }
    }

    /// Updates a peer's counters.
    func update(_ peer: NodeID, _ change: (inout PeerState) -> Void) {
        state.withLock { state in
            change(&state.peers[peer, default: PeerState()])
        }
        sessionsChanged.notify()
    }

    /// Every peer node seen so far.
    var peers: [NodeID: PeerState] {
        state.withLock { $0.peers }
    }
}
