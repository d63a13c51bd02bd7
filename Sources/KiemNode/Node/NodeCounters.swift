public import KiemCore
import Synchronization

/// The node's running totals, for status and metrics.
public final class NodeCounters: Sendable {
    /// A snapshot.
    public struct Snapshot: Sendable, Equatable {
        /// Remote ops accepted, per peer that sent them.
        public var accepted: [NodeID: UInt64] = [:]
        /// Remote ops rejected by the rules, per peer that sent them.
        public var rejected: [NodeID: UInt64] = [:]
        /// Remote ops held for a missing dependency, per peer.
        public var held: [NodeID: UInt64] = [:]
        /// Batches refused because an op failed verification, per peer.
        public var integrityFailures: [NodeID: UInt64] = [:]
        /// Ops written locally.
        public var localWrites: UInt64 = 0
        /// Remote batches applied, and the time they took in total.
        public var batchesApplied: UInt64 = 0
        public var batchApplyTime: Duration = .zero
    }

    private let state = Mutex(Snapshot())

    init() {}

    /// The totals now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func recordApplied(from peer: NodeID, accepted: Int, rejected: Int, held: Int, duration: Duration) {
        state.withLock { totals in
            totals.accepted[peer, default: 0] += UInt64(accepted)
            totals.rejected[peer, default: 0] += UInt64(rejected)
            totals.held[peer, default: 0] += UInt64(held)
            totals.batchesApplied += 1
            totals.batchApplyTime += duration
        }
    }

    func recordIntegrityFailure(from peer: NodeID) {
        state.withLock { $0.integrityFailures[peer, default: 0] += 1 }
    }

    func recordLocalWrite() {
        state.withLock { $0.localWrites += 1 }
    }
}
