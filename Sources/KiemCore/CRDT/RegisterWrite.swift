/// One write to a register: the value, when it was written and by which op.
public struct RegisterWrite<Value: Hashable & Sendable>: Hashable, Sendable {
    /// The value written.
    public let value: Value
    /// The writing op's timestamp.
    public let hlc: HLCTimestamp
    /// The writing op.
    public let op: OpID

    /// Creates a write.
    public init(value: Value, hlc: HLCTimestamp, op: OpID) {
        self.value = value
        self.hlc = hlc
        self.op = op
    }

    /// Last-writer-wins order: the higher HLC wins, then the higher origin node
    /// id, then the higher sequence number.
    func wins(over other: Self) -> Bool {
        (hlc, op.origin, op.seq) > (other.hlc, other.op.origin, other.op.seq)
    }
}
