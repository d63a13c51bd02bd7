package import KiemCore
import Metrics
import Synchronization

/// The node's running totals: kept as a snapshot for status and tests, and
/// reported to swift-metrics (the factory is passed in, never global).
package final class NodeCounters: Sendable {
    /// A snapshot.
    package struct Snapshot: Sendable, Equatable {
        /// Remote ops accepted, per peer that sent them.
        package var accepted: [NodeID: UInt64] = [:]
        /// Remote ops rejected by the rules, per peer that sent them.
        package var rejected: [NodeID: UInt64] = [:]
        /// Remote ops held for a missing dependency, per peer.
        package var held: [NodeID: UInt64] = [:]
        /// Batches refused because an op failed verification, per peer.
        package var integrityFailures: [NodeID: UInt64] = [:]
        /// Equivocations seen, per origin that signed two ops with one seq.
        package var equivocations: [NodeID: UInt64] = [:]
        /// Ops not taken because their origin was at its held-op quota, per origin.
        package var deferredByQuota: [NodeID: UInt64] = [:]
        /// Streaming sync calls refused over the limits, per peer.
        package var refusedStreams: [NodeID: UInt64] = [:]
        /// TLS sessions refused to members that are not peers (`accept =
        /// "peers"`), per node.
        package var refusedConnections: [NodeID: UInt64] = [:]
        /// Ops written locally.
        package var localWrites: UInt64 = 0
        /// Remote batches applied, and the time they took in total.
        package var batchesApplied: UInt64 = 0
        package var batchApplyTime: Duration = .zero
    }

    private let state = Mutex(Snapshot())
    private let factory: any MetricsFactory
    private let localWrites: Counter
    private let batchApply: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        localWrites = Counter(label: "kiem_local_writes_total", factory: factory)
        batchApply = Metrics.Timer(label: "kiem_batch_apply_seconds", factory: factory)
    }

    /// The totals now.
    package var snapshot: Snapshot { state.withLock { $0 } }

    func recordApplied(from peer: NodeID, accepted: Int, rejected: Int, held: Int, duration: Duration) {
        state.withLock { totals in
            totals.accepted[peer, default: 0] += UInt64(accepted)
            totals.rejected[peer, default: 0] += UInt64(rejected)
            totals.held[peer, default: 0] += UInt64(held)
            totals.batchesApplied += 1
            totals.batchApplyTime += duration
        }
        let dimensions = [("peer", peer.rawValue)]
        Counter(label: "kiem_ops_applied_total", dimensions: dimensions, factory: factory).increment(by: accepted)
        Counter(label: "kiem_ops_rejected_total", dimensions: dimensions, factory: factory).increment(by: rejected)
        Counter(label: "kiem_ops_held_total", dimensions: dimensions, factory: factory).increment(by: held)
        batchApply.recordNanoseconds(duration.nanoseconds)
    }

    func recordIntegrityFailure(from peer: NodeID) {
        state.withLock { $0.integrityFailures[peer, default: 0] += 1 }
        Counter(label: "kiem_integrity_failures_total", dimensions: [("peer", peer.rawValue)], factory: factory).increment()
    }

    func recordEquivocation(by origin: NodeID) {
        state.withLock { $0.equivocations[origin, default: 0] += 1 }
        Counter(label: "kiem_equivocations_total", dimensions: [("origin", origin.rawValue)], factory: factory).increment()
    }

    /// Counts ops of `origin` not taken because it is at its held-op quota.
    func recordDeferred(_ count: Int, of origin: NodeID) {
        state.withLock { $0.deferredByQuota[origin, default: 0] += UInt64(count) }
        Counter(label: "kiem_ops_deferred_total", dimensions: [("origin", origin.rawValue)], factory: factory)
            .increment(by: count)
    }

    /// Counts a refused streaming call; returns how many of `peer`'s were refused so far.
    @discardableResult
    func recordRefusedStream(from peer: NodeID) -> UInt64 {
        defer {
            Counter(label: "kiem_sync_calls_refused_total", dimensions: [("peer", peer.rawValue)], factory: factory).increment()
        }
        return state.withLock { state in
            state.refusedStreams[peer, default: 0] += 1
            return state.refusedStreams[peer]!
        }
    }

    /// Counts a TLS session refused to `node` (`reason` is the ``PeerRefusal`` code).
    func recordRefusedConnection(from node: NodeID, reason: String) {
        state.withLock { $0.refusedConnections[node, default: 0] += 1 }
        Counter(label: "kiem_connections_refused_total", dimensions: [("peer", node.rawValue), ("reason", reason)], factory: factory)
            .increment()
    }

    /// Sets how many revocations the node holds (`kiem_revocations`).
    func recordRevocations(_ count: Int) {
        Gauge(label: "kiem_revocations", factory: factory).record(count)
    }

    /// Counts a revocation refused because the node holds as many as it may.
    func recordRevocationRefused() {
        Counter(label: "kiem_revocations_refused_total", factory: factory).increment()
    }

    func recordLocalWrite() {
        state.withLock { $0.localWrites += 1 }
        localWrites.increment()
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
