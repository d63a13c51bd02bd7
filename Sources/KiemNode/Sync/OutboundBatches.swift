import KiemCore
import KiemStore

/// Turns the store's cursor of missing ops into batches a receiver can
/// verify: every origin run ends at an op whose signature the store holds
/// (WIRE.md section 13, "Batches"), and only run ends carry a signature.
///
/// A batch the cursor cut in the middle of an unsigned stretch is trimmed
/// back to the run's last signed op; the rest is carried into the next
/// batch, which reads on until it reaches a signed op. The newest op of
/// every origin is signed, so this always ends.
struct OutboundBatches {
    private var cursor: MissingOpsCursor
    private var carry: [MissingOpsCursor.StoredOp] = []

    init(_ cursor: MissingOpsCursor) {
        self.cursor = cursor
    }

    /// The ops not yet returned.
    var remaining: UInt64 { cursor.remaining + UInt64(carry.count) }

    /// The next batch, each op paired with whether it carries its signature;
    /// nil when every missing op was returned.
    /// - Throws: `StoreError` when the store's log ends without a signed
    ///   head (it was written without proofs).
    mutating func next() throws -> [(op: MissingOpsCursor.StoredOp, signed: Bool)]? {
        var ops = carry
        carry = []
        if ops.isEmpty {
            guard let batch = try cursor.nextEncoded() else { return nil }
            ops = batch
        }
        while true {
            if let (send, rest) = Self.cut(ops) {
                ops = send
                carry = rest
                break
            }
            guard let more = try cursor.nextEncoded() else {
                // Nothing signed up to the head: ops stored without proofs
                // (tests, benchmarks) go out as they are.
                break
            }
            ops += more
        }
        return ops.enumerated().map { index, op in
            let endsRun = index == ops.count - 1 || ops[index + 1].id.origin != op.id.origin
            return (op, endsRun)
        }
    }

    /// Splits `ops` after the last op that can end the final run: a signed
    /// one (or one stored without a proof). Nil when no op of the final run
    /// can end it and no earlier run precedes it.
    static func cut(_ ops: [MissingOpsCursor.StoredOp]) -> (send: [MissingOpsCursor.StoredOp], carry: [MissingOpsCursor.StoredOp])? {
        guard let last = ops.last else { return ([], []) }
        var index = ops.count - 1
        while index >= 0, ops[index].id.origin == last.id.origin {
            if ops[index].signature != nil || ops[index].chain == nil {
                return (Array(ops[...index]), Array(ops[(index + 1)...]))
            }
            index -= 1
        }
        // The final run has no signed op: send the runs before it, if any.
        guard index >= 0 else { return nil }
        return (Array(ops[...index]), Array(ops[(index + 1)...]))
    }
}
