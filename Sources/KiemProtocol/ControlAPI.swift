import KiemWire

/// The methods of service `kiem.v1.Control` with their message types, shared
/// by the daemon that serves them and the clients that call them
/// (`Protocols/kiem/v1/control.proto`).
public enum ControlAPI {
    /// `Status`: Node identity, counters, digest, vector and peers.
    public static let status = RPCMethod<Kiem_V1_StatusRequest, Kiem_V1_StatusResponse>(MethodDescriptor.Control.status)
    /// `CreateInitiative`: Creates an initiative owned by the node's organisation.
    public static let createInitiative = RPCMethod<Kiem_V1_CreateInitiativeRequest, Kiem_V1_MutationResponse>(
        MethodDescriptor.Control.createInitiative)
    /// `EditInitiative`: Edits text fields, themes and links.
    public static let editInitiative = RPCMethod<Kiem_V1_EditInitiativeRequest, Kiem_V1_MutationResponse>(
        MethodDescriptor.Control.editInitiative)
    /// `SetPhase`: Moves an initiative to a phase.
    public static let setPhase = RPCMethod<Kiem_V1_SetPhaseRequest, Kiem_V1_MutationResponse>(MethodDescriptor.Control.setPhase)
    /// `LogProgress`: Appends a progress entry.
    public static let logProgress = RPCMethod<Kiem_V1_LogProgressRequest, Kiem_V1_MutationResponse>(
        MethodDescriptor.Control.logProgress)
    /// `Adopt`: Sets the node organisation's adoption of an initiative.
    public static let adopt = RPCMethod<Kiem_V1_AdoptRequest, Kiem_V1_MutationResponse>(MethodDescriptor.Control.adopt)
    /// `Endorse`: Sets or withdraws the node organisation's endorsement.
    public static let endorse = RPCMethod<Kiem_V1_EndorseRequest, Kiem_V1_MutationResponse>(MethodDescriptor.Control.endorse)
    /// `Archive`: Archives or restores an initiative.
    public static let archive = RPCMethod<Kiem_V1_ArchiveRequest, Kiem_V1_MutationResponse>(MethodDescriptor.Control.archive)
    /// `Annotate`: Sets the node organisation's annotation (portfolio label, priority, note).
    public static let annotate = RPCMethod<Kiem_V1_AnnotateRequest, Kiem_V1_MutationResponse>(MethodDescriptor.Control.annotate)
    /// `QueryInitiatives`: Lists initiatives by filter or full-text search.
    public static let queryInitiatives = RPCMethod<Kiem_V1_QueryInitiativesRequest, Kiem_V1_QueryInitiativesResponse>(
        MethodDescriptor.Control.queryInitiatives)
    /// `GetInitiative`: One initiative, optionally with its history.
    public static let getInitiative = RPCMethod<Kiem_V1_GetInitiativeRequest, Kiem_V1_GetInitiativeResponse>(
        MethodDescriptor.Control.getInitiative)
    /// `ListPeers`: The peers the node dials, with their state.
    public static let listPeers = RPCMethod<Kiem_V1_ListPeersRequest, Kiem_V1_ListPeersResponse>(MethodDescriptor.Control.listPeers)
    /// `AddPeer`: Adds a peer at runtime (persisted).
    public static let addPeer = RPCMethod<Kiem_V1_AddPeerRequest, Kiem_V1_Peer>(MethodDescriptor.Control.addPeer)
    /// `RemovePeer`: Removes a peer at runtime (persisted).
    public static let removePeer = RPCMethod<Kiem_V1_RemovePeerRequest, Kiem_V1_RemovePeerResponse>(
        MethodDescriptor.Control.removePeer)
    /// `Watch`: A live stream of changes as ops are applied.
    public static let watch = RPCMethod<Kiem_V1_WatchRequest, Kiem_V1_WatchEvent>(MethodDescriptor.Control.watch)
    /// `Sync`: Anti-entropy with some or all peers now, streaming progress.
    public static let sync = RPCMethod<Kiem_V1_SyncRequest, Kiem_V1_SyncProgress>(MethodDescriptor.Control.sync)
    /// `Overview`: The portfolio overview.
    public static let overview = RPCMethod<Kiem_V1_OverviewRequest, Kiem_V1_OverviewResponse>(MethodDescriptor.Control.overview)
    /// `Backup`: A consistent copy of the store, written to a file by the node.
    public static let backup = RPCMethod<Kiem_V1_BackupRequest, Kiem_V1_BackupResponse>(MethodDescriptor.Control.backup)
    /// `AddRevocation`: check, store, apply and pass on a CA-signed revocation.
    public static let addRevocation = RPCMethod<Kiem_V1_SignedRevocation, Kiem_V1_AddRevocationResponse>(
        MethodDescriptor.Control.addRevocation)
    /// `ListRevocations`: the revocations the node holds.
    public static let listRevocations = RPCMethod<Kiem_V1_ListRevocationsRequest, Kiem_V1_ListRevocationsResponse>(
        MethodDescriptor.Control.listRevocations)

    /// Every method of the service, for checking them against the .proto file.
    package static let signatures: [RPCMethodSignature] = [
        status.signature,
        createInitiative.signature,
        editInitiative.signature,
        setPhase.signature,
        logProgress.signature,
        adopt.signature,
        endorse.signature,
        archive.signature,
        annotate.signature,
        queryInitiatives.signature,
        getInitiative.signature,
        listPeers.signature,
        addPeer.signature,
        removePeer.signature,
        watch.signature,
        sync.signature,
        overview.signature,
        backup.signature,
        addRevocation.signature,
        listRevocations.signature,
    ]
}
