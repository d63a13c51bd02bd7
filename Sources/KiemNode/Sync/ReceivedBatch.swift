import KiemProtocol
import KiemStore

/// A batch of ops a peer sent, decoded: each op strictly, with its payload
/// digests (``WireOps/decode(_:)``). Decoding needs nothing of the node's
/// state, so ``Replicator`` decodes the next batch while the previous one is
/// verified and applied.
struct ReceivedBatch: Sendable {
    /// The certificates of origins the batch introduces.
    let certificates: [Kiem_V1_NodeCertificate]
    /// The ops, or why one of them does not decode (then none applies).
    let ops: Result<[EncodedOp], IngestError>
    /// How many ops the peer sent.
    let count: Int

    init(_ message: Kiem_V1_OpBatch) {
        certificates = message.certificates
        count = message.ops.count
        ops = Result { () throws(IngestError) in
            var ops: [EncodedOp] = []
            ops.reserveCapacity(message.ops.count)
            for wire in message.ops { ops.append(try WireOps.decode(wire)) }
            return ops
        }
    }
}
