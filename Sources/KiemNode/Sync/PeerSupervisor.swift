import Foundation
import KiemConfiguration
import KiemCore
import KiemTransport
import Logging
import NIOPosix
import Synchronization

/// Runs one ``PeerLink`` per listed peer and changes the list at runtime
/// (`kiemctl peers add|remove`): an added peer is dialled at once, a removed
/// one's link is cancelled, which closes its connection. Every change is
/// written to the data folder (and flushed to disk) before it takes effect,
/// on the thread pool: never on the event loop that asked for it. Each
/// version of the list is handed to the ``InboundAllowList`` before it
/// takes effect.
final class PeerSupervisor: Sendable {
    private struct State {
        var list: PeerList
        /// Stops the running link of each peer node.
        var stops: [NodeID: ChangeSignal] = [:]
    }

    private let state: Mutex<State>
    /// Held while a change is written, so that changes are saved one at a
    /// time and in the order they take effect; `state` is only held briefly.
    private let saving = Mutex(())
    private let pool: NIOThreadPool
    private let changesPath: String
    private let replicator: Replicator
    private let tls: KiemTLSContext
    /// Who may dial in; follows the list.
    let allowList: InboundAllowList
    private let logger: Logger
    private let started: AsyncStream<NodeConfiguration.Peer>
    private let start: AsyncStream<NodeConfiguration.Peer>.Continuation

    init(list: PeerList, changesPath: String, replicator: Replicator, tls: KiemTLSContext, allowList: InboundAllowList,
         pool: NIOThreadPool = .singleton, logger: Logger) {
        allowList.admit(list)
        state = Mutex(State(list: list))
        self.allowList = allowList
        self.pool = pool
        self.changesPath = changesPath
        self.replicator = replicator
        self.tls = tls
        self.logger = logger
        (started, start) = AsyncStream.makeStream()
    }

    /// The peers dialled now.
    var list: PeerList { state.withLock { $0.list } }

    /// Runs the links until cancelled.
    func run() async {
        for peer in list.effective { start.yield(peer) }
        await withDiscardingTaskGroup { group in
            for await peer in started {
                let stop = ChangeSignal()
                state.withLock { $0.stops[peer.node] = stop }
                let link = PeerLink(peer: peer, replicator: replicator, tls: tls, logger: logger)
                group.addTask {
                    await withTaskGroup(of: Void.self) { race in
                        race.addTask { await link.run() }
                        race.addTask { await stop.wait(after: 0) }
                        _ = await race.next()
                        race.cancelAll()
                    }
                }
            }
        }
    }

    /// Adds a peer, persists it and starts dialling it.
    /// - Throws: ``PeerListError``, or an error writing the data folder (then nothing changed).
    func add(_ peer: NodeConfiguration.Peer) async throws {
        try await change { list in try list.add(peer) }
        logger.info("peer added", metadata: ["kiem.peer": "\(peer.node)", "kiem.address": "\(peer.address)"])
        start.yield(peer)
    }

    /// Removes a peer by node id or address, persists it and stops its link.
    /// - Returns: the removed peer; nil if none matched.
    func remove(_ nodeOrAddress: String) async throws -> NodeConfiguration.Peer? {
        guard let peer = try await change({ list in list.remove(nodeOrAddress) }) else { return nil }
        state.withLock { $0.stops.removeValue(forKey: peer.node) }?.notify()
        logger.info("peer removed", metadata: ["kiem.peer": "\(peer.node)", "kiem.address": "\(peer.address)"])
        return peer
    }

    /// Redials the running links to the peers `matches` picks: each is
    /// stopped, which closes its connection, and started again (for a
    /// revoked peer, the new handshake is refused and the link backs off).
    /// - Returns: how many links were redialled.
    func redial(where matches: (NodeConfiguration.Peer) -> Bool) -> Int {
        var redialled = 0
        for peer in list.effective where matches(peer) {
            guard let stop = state.withLock({ $0.stops.removeValue(forKey: peer.node) }) else { continue }
            stop.notify()
            start.yield(peer)
            redialled += 1
        }
        return redialled
    }

    /// Applies `edit` to a copy of the list, saves the copy to the data
    /// folder and then makes it the list; on the thread pool (the save
    /// flushes to disk). Nothing changes when `edit` or the save throws.
    private func change<Value: Sendable>(
        _ edit: @escaping @Sendable (inout PeerList) throws -> Value
    ) async throws -> Value {
        try await pool.runIfActive { [self] in
            try saving.withLock { _ in
                let before = self.list
                var list = before
                let result = try edit(&list)
                guard list != before else { return result }
                try list.changes.save(path: changesPath)
                allowList.admit(list)
                state.withLock { $0.list = list }
                return result
            }
        }
    }
}
