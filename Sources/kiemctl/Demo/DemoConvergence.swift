import KiemProtocol

/// Waits until every node of the demo holds the same replica: equal state
/// digests and equal version vectors, as their Status calls report them.
enum DemoConvergence {
    /// What the converged nodes hold.
    struct Converged: Sendable {
        /// The common state digest (hex).
        let digest: String
        let initiativeCount: UInt64
        let opCount: UInt64
        /// How long the wait took.
        let elapsed: Duration
    }

    /// Polls every node's status until they agree, for at most `seconds`.
    /// - Throws: after `seconds`, naming each node's digest and op count.
    static func wait(for nodes: [DemoNode], seconds: Double) async throws -> Converged {
        let start = ContinuousClock.now
        while true {
            var statuses: [Kiem_V1_StatusResponse] = []
            for node in nodes { statuses.append(try await node.status()) }
            let first = statuses[0]
            if statuses.allSatisfy({ $0.stateDigest == first.stateDigest && $0.versionVector == first.versionVector }) {
                return Converged(
                    digest: first.stateDigest, initiativeCount: first.initiativeCount, opCount: first.opCount,
                    elapsed: ContinuousClock.now - start)
            }
            guard ContinuousClock.now - start < .seconds(seconds) else {
                let states = zip(nodes, statuses).map { node, status in
                    "\(node.name) \(status.stateDigest.prefix(12)) (\(status.opCount) ops, \(status.connectedPeerCount) of \(status.peerCount) peers connected)"
                }
                throw KiemctlFailure("the nodes did not converge within \(Int(seconds)) s: \(states.joined(separator: "; ")); see each node's kiemd.log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
