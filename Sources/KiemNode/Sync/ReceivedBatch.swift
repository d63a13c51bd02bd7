import KiemCore
import KiemProtocol
import KiemStore

/// A batch of ops a peer sent, decoded: each op strictly, with its payload
/// digests (``WireOps/decode(_:)``). Decoding needs nothing of the node's
/// state, so ``Replicator`` decodes the next batch while the previous one is
/// verified and applied.
struct ReceivedBatch: Sendable {
    /// The certificates of origins the batch introduces.
    let certificates: [Kiem_V1_NodeCertificate]
    /// The proofs of equivocation it carries, or why one does not decode.
    let proofs: Result<[EquivocationRecord], IngestError>
    /// The ops, or why one of them does not decode (then none applies).
    let ops: Result<[EncodedOp], IngestError>
    /// How many ops the peer sent.
    let count: Int

    /// The most bytes one signature may cover in a batch (WIRE.md section
    /// 13, "Batch limits"): the `canonical`, `chain` and `signature` bytes of
    /// the ops from just after the previous signed op of the run (or the
    /// run's start) up to and including the next signed op. Relays cannot
    /// split a span, so a larger one could never be passed on within a
    /// receiver's frame; refusing it at the door keeps every stored span
    /// relayable within the default 4 MiB frame.
    static let maximumSignedSpanBytes = 2 << 20

    /// Decodes `message`, received at `receivedMillis`.
    init(_ message: Kiem_V1_OpBatch, receivedMillis: UInt64) {
        certificates = message.certificates
        proofs = Result { () throws(IngestError) in
            try message.equivocations.map { proof throws(IngestError) in
                try EquivocationRecord(proof, receivedMillis: receivedMillis)
            }
        }
        count = message.ops.count
        ops = Result { () throws(IngestError) in
            var ops: [EncodedOp] = []
            ops.reserveCapacity(message.ops.count)
            for wire in message.ops { ops.append(try WireOps.decode(wire)) }
            try Self.checkSpans(ops)
            return ops
        }
    }

    /// Refuses a batch in which one signature covers more than
    /// ``maximumSignedSpanBytes``.
    static func checkSpans(_ ops: [EncodedOp]) throws(IngestError) {
        var bytes = 0
        for (index, encoded) in ops.enumerated() {
            bytes += encoded.canonical.count + (encoded.proof?.chain.count ?? 0) + (encoded.proof?.signature?.count ?? 0)
            if bytes > maximumSignedSpanBytes {
                throw .malformed("op \(index + 1) of the batch makes a signed span of more than "
                    + "\(maximumSignedSpanBytes) bytes; its origin must sign more often (WIRE.md section 13)")
            }
            let endsRun = index + 1 == ops.count || ops[index + 1].op.origin != encoded.op.origin
            if encoded.proof?.signature != nil || endsRun { bytes = 0 }
        }
    }
}
