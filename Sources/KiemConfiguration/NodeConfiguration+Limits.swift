import KiemCore

extension NodeConfiguration {
    /// What peers may make the node hold at once (the `[limits]` table;
    /// docs/security.md says what each protects). Every limit has a default
    /// that suits a federation of a few dozen nodes.
    public struct Limits: Sendable, Equatable {
        /// Open peer connections in all (`max_connections`).
        public var connections = 512
        /// Open connections authenticated as one peer node
        /// (`max_connections_per_peer`).
        public var connectionsPerPeer = 8
        /// Streaming Sync calls (Pull, Subscribe, Push) running at once, in
        /// all (`max_sync_calls`).
        public var syncCalls = 128
        /// Streaming Sync calls one peer node may run at once
        /// (`max_sync_calls_per_peer`).
        public var syncCallsPerPeer = 8
        /// Held ops (waiting for an initiative or op the node does not
        /// hold) one origin may have; its later ops are deferred until it is
        /// down to half (`max_held_ops_per_origin`, ``KiemCore/HeldOpQuota``).
        public var heldOpsPerOrigin = HeldOpQuota.defaultPerOrigin

        /// The defaults.
        public init() {}
    }
}

extension NodeConfiguration.Limits {
    /// Reads the `[limits]` table: every key optional, each a positive integer.
    init(_ reader: inout TableReader) throws(ConfigurationError) {
        self.init()
        connections = try reader.optionalPositiveInt("max_connections") ?? connections
        connectionsPerPeer = try reader.optionalPositiveInt("max_connections_per_peer") ?? connectionsPerPeer
        syncCalls = try reader.optionalPositiveInt("max_sync_calls") ?? syncCalls
        syncCallsPerPeer = try reader.optionalPositiveInt("max_sync_calls_per_peer") ?? syncCallsPerPeer
        heldOpsPerOrigin = try reader.optionalPositiveInt("max_held_ops_per_origin") ?? heldOpsPerOrigin
        try reader.finish()
    }
}
