import Foundation
import KiemCore
import KiemTransport
import Logging
import Synchronization

/// Runs one ``PeerLink`` per listed peer and changes the list at runtime
/// (`kiemctl peers add|remove`): an added peer is dialled at once, a removed
/// one's link is cancelled, which closes its connection. Every change is
/// written to the data folder before it takes effect.
final class PeerSupervisor: Sendable {
    private struct State {
        var list: PeerList
        /// Stops the running link of each peer node.
        var stops: [NodeID: ChangeSignal] = [:]
    }

    private let state: Mutex<State>
    private let changesPath: String
    private let replicator: Replicator
    private let tls: KiemTLSContext
    private let logger: Logger
    private let started: AsyncStream<NodeConfiguration.Peer>
    private let start: AsyncStream<NodeConfiguration.Peer>.Continuation

    init(list: PeerList, changesPath: String, replicator: Replicator, tls: KiemTLSContext, logger: Logger) {
        state = Mutex(State(list: list))
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
    func add(_ peer: NodeConfiguration.Peer) throws {
        try state.withLock { state in
            var list = state.list
            try list.add(peer)
            try list.changes.save(path: changesPath)
            state.list = list
        }
        logger.info("peer added", metadata: ["kiem.peer": "\(peer.node)", "kiem.address": "\(peer.address)"])
        start.yield(peer)
    }

    /// Removes a peer by node id or address, persists it and stops its link.
    /// - Returns: the removed peer; nil if none matched.
    func remove(_ nodeOrAddress: String) throws -> NodeConfiguration.Peer? {
        let removed = try state.withLock { state -> (NodeConfiguration.Peer, ChangeSignal?)? in
            var list = state.list
            guard let peer = list.remove(nodeOrAddress) else { return nil }
            try list.changes.save(path: changesPath)
            state.list = list
            return (peer, state.stops.removeValue(forKey: peer.node))
        }
        guard let (peer, stop) = removed else { return nil }
        stop?.notify()
        logger.info("peer removed", metadata: ["kiem.peer": "\(peer.node)", "kiem.address": "\(peer.address)"])
        return peer
    }
}
