import KiemProtocol

/// What one outgoing `OpBatch` may hold (WIRE.md section 13, "Batch
/// limits"). The hard limits are never exceeded: a batch that cannot be
/// made within them is refused (``BatchTooLarge``), never sent.
struct BatchLimits: Sendable, Equatable {
    /// The most bytes one encoded `OpBatch` may take: the receiver's max
    /// frame size, or `PullRequest.max_bytes_per_batch` when smaller.
    var maxMessageBytes: Int
    /// The most ops one batch may hold (`PullRequest.max_ops_per_batch`),
    /// nil for no hard limit.
    var maxOps: Int?
    /// A batch stops growing once it holds this many bytes of op entries
    /// (one receiving transaction, a steady flow of credit), unless its first
    /// signed span alone is larger.
    var targetBytes: Int
    /// A batch stops growing at this many ops, likewise.
    var targetOps: Int

    /// The default targets: about 1 MiB or 5,000 ops per batch.
    static let defaultTargetBytes = 1 << 20
    static let defaultTargetOps = 5_000

    init(maxMessageBytes: Int, maxOps: Int? = nil,
         targetBytes: Int = BatchLimits.defaultTargetBytes, targetOps: Int = BatchLimits.defaultTargetOps) {
        self.maxMessageBytes = maxMessageBytes
        self.maxOps = maxOps
        self.targetBytes = min(targetBytes, maxMessageBytes)
        self.targetOps = min(targetOps, maxOps ?? targetOps)
    }

    /// The limits a `Pull` asks for, within the frame size the caller
    /// announced (`maxFrameBytes`); zeros mean "the server's default".
    init(pull request: Kiem_V1_PullRequest, maxFrameBytes: Int) {
        let bytes = request.maxBytesPerBatch == 0 ? maxFrameBytes : min(maxFrameBytes, Int(request.maxBytesPerBatch))
        self.init(maxMessageBytes: bytes, maxOps: request.maxOpsPerBatch == 0 ? nil : Int(request.maxOpsPerBatch))
    }
}
