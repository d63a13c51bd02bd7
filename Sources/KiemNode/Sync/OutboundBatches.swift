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
///
/// Batches also stay within `maxBytes` of canonical bytes where a signed op
/// allows it, so a message stays well below the peer's maximum frame size
/// however large single ops are (a creation can carry 20 KB of text).
struct OutboundBatches {
    private var cursor: MissingOpsCursor
    private var carry: [MissingOpsCursor.StoredOp] = []
    private let maxBytes: Int

    init(_ cursor: MissingOpsCursor, maxBytes: Int = 1 << 20) {
        self.cursor = cursor
        self.maxBytes = maxBytes
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
            if let (send, _) = Self.cut(Self.prefix(of: ops, maxBytes: maxBytes)), !send.isEmpty {
                carry = Array(ops[send.count...])
                ops = send
                break
            }
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

    /// The longest prefix of `ops` within `maxBytes` of canonical bytes (at
    /// least one op).
    static func prefix(of ops: [MissingOpsCursor.StoredOp], maxBytes: Int) -> [MissingOpsCursor.StoredOp] {
        var bytes = 0
        for (index, op) in ops.enumerated() {
            bytes += op.canonical.count
            if bytes > maxBytes { return Array(ops[..<max(index, 1)]) }
        }
        return ops
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
