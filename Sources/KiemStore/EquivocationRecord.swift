public import KiemCore

/// Proof that an origin signed two different histories from one seq (WIRE.md
/// section 13): the run of its ops this replica held and the run it was
/// offered, each from that seq to a signed head, both verifying from the same
/// chain hash before it. Anyone with the origin's certificate can check it.
/// The store keeps one proof per origin, the one with the lowest seq, and
/// quarantines the origin from that seq (``KiemStore/quarantine(_:)``).
public struct EquivocationRecord: Hashable, Sendable {
    /// The origin that equivocated.
    public var origin: NodeID
    /// The seq it signed twice.
    public var seq: UInt64
    /// The origin's chain hash after `seq - 1`, which both runs continue.
    public var previousChain: [UInt8]
    /// The run this replica held, from `seq` to its first signed op.
    public var held: [EncodedOp]
    /// The conflicting run it was offered, from `seq` to a signed op.
    public var offered: [EncodedOp]
    /// When it was detected, in milliseconds since 1970 (UTC).
    public var detectedMillis: UInt64

    /// Creates a record.
    public init(
        origin: NodeID, seq: UInt64, previousChain: [UInt8], held: [EncodedOp], offered: [EncodedOp], detectedMillis: UInt64
    ) {
        self.origin = origin
        self.seq = seq
        self.previousChain = previousChain
        self.held = held
        self.offered = offered
        self.detectedMillis = detectedMillis
    }
}
