import KiemConfiguration
import KiemCore
import KiemTransport

/// What the node makes of its configuration: the limits as the server, the
/// Sync service and the store take them, and the files of the data folder
/// that only the node reads.
extension NodeConfiguration.Limits {
    /// The server's connection limits.
    var connectionLimits: RPCConnectionLimits {
        RPCConnectionLimits(total: connections, perPeer: connectionsPerPeer)
    }

    /// The Sync service's limits on streaming calls.
    var syncAdmission: SyncAdmission.Limits {
        SyncAdmission.Limits(perPeer: syncCallsPerPeer, total: syncCalls)
    }

    /// The store's quota on held ops.
    var heldOpQuota: HeldOpQuota { HeldOpQuota(perOrigin: heldOpsPerOrigin) }
}

extension NodeConfiguration {
    /// Peers added and removed at runtime (``PeerChanges``).
    var peerChangesPath: String { dataDirectory + "/" + PeerChanges.fileName }
}
