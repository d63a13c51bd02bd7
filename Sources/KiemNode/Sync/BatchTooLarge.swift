import KiemCore
import KiemWire

/// The smallest batch that could go next — one signed span of one origin,
/// with the origin's certificate if the stream has not carried it yet —
/// does not fit the receiver's limits. A relay cannot split a span (only
/// its origin can sign inside it), so the send fails instead of exceeding
/// them (WIRE.md section 13, "Batch limits").
struct BatchTooLarge: RPCErrorConvertible, Sendable, Equatable, CustomStringConvertible {
    /// The origin of the span.
    let origin: NodeID
    /// Its first seq.
    let firstSeq: UInt64
    /// The bytes (at least) or ops it needs.
    let needed: Int
    /// The limit it exceeds; 0 when the ops end without any signed op, so
    /// no batch of them can verify.
    let limit: Int
    /// Whether `needed` and `limit` count ops rather than bytes.
    let countsOps: Bool

    var description: String {
        guard limit > 0 else {
            return "the ops of \(origin) from seq \(firstSeq) end without a signature this node holds, "
                + "so no batch of them would verify (the store was not written by kiemd)"
        }
        let unit = countsOps ? "ops" : "bytes"
        return "the signed span of \(origin) from seq \(firstSeq) needs at least \(needed) \(unit) in one batch, "
            + "above the receiver's limit of \(limit) \(unit); announce a larger max frame size (WIRE.md section 13)"
    }

    /// The status the send ends with.
    var rpcError: RPCError { RPCError(code: .resourceExhausted, message: description) }
}
