import KiemCore
import KiemStore
import KiemWire

/// Why a batch of remote ops was refused as a whole. Nothing of such a batch
/// is stored or relayed.
enum IngestError: RPCErrorConvertible, Sendable, CustomStringConvertible {
    /// An op or certificate that does not decode.
    case malformed(String)
    /// The ops do not continue this replica's log of an origin.
    case gap(origin: NodeID, expected: UInt64, got: UInt64)
    /// An op that fails verification: altered, invented, or from an origin
    /// whose certificate is unknown or invalid.
    case integrity(IntegrityError)
    /// A certificate offered for an origin that does not validate.
    case certificate(node: String, reason: String)
    /// The origin signed two different ops with one seq: the batch carries a
    /// validly signed op that differs from the one stored.
    case equivocation(origin: NodeID, seq: UInt64)
    /// A run whose first op does not link to this replica's head of its
    /// origin (`seq`): the sender holds another history of the origin (it
    /// signed two), or forged the op. Not blamed on the sender the first
    /// time: the replica announces holding none of the origin's ops, so that
    /// the next session sends its log from the start and shows which.
    case diverged(origin: NodeID, seq: UInt64)
    /// An op timestamped too far in the future.
    case clock(ClockError)
    /// This node failed: its store, or bytes it stored that no longer
    /// decode. Never the peer's fault, never shown to the peer.
    case local(String)

    /// Runs a store call for an ingest: any failure is this node's own
    /// (``local(_:)``), even stored bytes that do not decode: the peer sent
    /// what the batch holds, not what the store holds.
    @discardableResult
    static func fromStore<T>(_ call: () throws -> T) throws(IngestError) -> T {
        do {
            return try call()
        } catch {
            throw .local("\(error)")
        }
    }

    var description: String {
        switch self {
        case let .malformed(reason): "malformed batch: \(reason)"
        case let .gap(origin, expected, got): "ops of \(origin) skip from \(expected) to \(got)"
        case let .integrity(error): "integrity check failed: \(error)"
        case let .certificate(node, reason): "the certificate offered for \(node) is refused: \(reason)"
        case let .equivocation(origin, seq): "\(origin) signed two different ops with seq \(seq) (equivocation)"
        case let .diverged(origin, seq): """
            the ops of \(origin) offered do not continue this node's log after seq \(seq): the origin may have signed \
            two histories; this node asks for its log from the start
            """
        case let .clock(error): "\(error)"
        case let .local(reason): "this node failed to apply the batch: \(reason)"
        }
    }

    /// The status the refusing side ends the call with (WIRE.md section 13);
    /// a local failure's text stays in the node's log.
    var rpcError: RPCError {
        switch self {
        case .malformed: RPCError(code: .invalidArgument, message: description)
        case .gap, .diverged: RPCError(code: .failedPrecondition, message: description)
        case .integrity, .certificate, .equivocation: RPCError(code: .dataLoss, message: description)
        case .clock: RPCError(code: .failedPrecondition, message: description)
        case .local: RPCError(code: .internalError, message: "the receiving node failed to apply the batch; its log says why")
        }
    }

    /// Whether the sender is to blame (a forged or broken op), as opposed to
    /// a local condition: counted as an integrity failure of the peer.
    var isIntegrityFailure: Bool {
        switch self {
        case .integrity, .certificate, .malformed: true
        case .gap, .diverged, .clock, .local, .equivocation: false
        }
    }
}
