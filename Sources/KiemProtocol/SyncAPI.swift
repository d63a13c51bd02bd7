import KiemWire

/// The methods of service `kiem.v1.Sync` with their message types, shared
/// by the daemon that serves them and whatever calls them (peer links,
/// `kiemctl doctor`, the benchmarks; `Protocols/kiem/v1/sync.proto`).
public enum SyncAPI {
    /// `Handshake`: identities, roles, version vectors and clocks.
    public static let handshake = RPCMethod<Kiem_V1_HandshakeRequest, Kiem_V1_HandshakeResponse>(MethodDescriptor.Sync.handshake)
    /// `Pull`: every op the caller lacks, in batches, then the call ends.
    public static let pull = RPCMethod<Kiem_V1_PullRequest, Kiem_V1_OpBatch>(MethodDescriptor.Sync.pull)
    /// `Subscribe`: what the caller lacks, then new ops as they come.
    public static let subscribe = RPCMethod<Kiem_V1_SubscribeRequest, Kiem_V1_OpBatch>(MethodDescriptor.Sync.subscribe)
    /// `Push`: the caller sends ops; the answer says what was kept.
    public static let push = RPCMethod<Kiem_V1_OpBatch, Kiem_V1_PushAck>(MethodDescriptor.Sync.push)
    /// `FetchCertificates`: certificates of origins the caller cannot verify.
    public static let fetchCertificates = RPCMethod<Kiem_V1_FetchCertificatesRequest, Kiem_V1_FetchCertificatesResponse>(
        MethodDescriptor.Sync.fetchCertificates)
    /// `Revocations`: exchange CA-signed revocations, then receive new ones as they come.
    public static let revocations = RPCMethod<Kiem_V1_RevocationSet, Kiem_V1_RevocationSet>(MethodDescriptor.Sync.revocations)

    /// Every method of the service, for checking them against the .proto file.
    package static let signatures: [RPCMethodSignature] = [
        handshake.signature,
        pull.signature,
        subscribe.signature,
        push.signature,
        fetchCertificates.signature,
        revocations.signature,
    ]
}
