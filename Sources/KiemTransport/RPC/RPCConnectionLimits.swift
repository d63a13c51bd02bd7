import KiemCore

/// How many connections a server keeps open at once (WIRE.md section 2):
/// together with each connection's credit and frame limits, this bounds
/// what peers can make it hold. A connection over a limit is closed at
/// once: over ``total`` when it is accepted, before the TLS handshake;
/// over ``perPeer`` right after the handshake names its node.
public struct RPCConnectionLimits: Sendable, Hashable {
    /// Open connections in all.
    public var total: Int
    /// Open connections authenticated as one node.
    public var perPeer: Int

    /// Creates limits.
    public init(total: Int = 512, perPeer: Int = 8) {
        self.total = total
        self.perPeer = perPeer
    }

    /// No limits (the control socket: one local administrator).
    public static let unlimited = RPCConnectionLimits(total: .max, perPeer: .max)

    /// The connections a server holds, as a value: which are open and whose
    /// node each authenticated as.
    struct Table: Sendable {
        let limits: RPCConnectionLimits
        private(set) var open: Set<ObjectIdentifier> = []
        private(set) var nodes: [ObjectIdentifier: NodeID] = [:]
        private(set) var perNode: [NodeID: Int] = [:]

        init(limits: RPCConnectionLimits) {
            self.limits = limits
        }

        /// Adds a connection just accepted; false over ``total``.
        mutating func accept(_ connection: ObjectIdentifier) -> Bool {
            guard open.count < limits.total else { return false }
            open.insert(connection)
            return true
        }

        /// Records the node a connection authenticated as; false over
        /// ``perPeer`` (the connection is then not counted for the node).
        mutating func authenticate(_ connection: ObjectIdentifier, as node: NodeID) -> Bool {
            guard open.contains(connection), nodes[connection] == nil else { return true }
            guard perNode[node, default: 0] < limits.perPeer else { return false }
            nodes[connection] = node
            perNode[node, default: 0] += 1
            return true
        }

        /// Removes a closed connection.
        mutating func remove(_ connection: ObjectIdentifier) {
            guard open.remove(connection) != nil else { return }
            if let node = nodes.removeValue(forKey: connection) {
                perNode[node] = perNode[node] == 1 ? nil : perNode[node].map { $0 - 1 }
            }
        }
    }
}
