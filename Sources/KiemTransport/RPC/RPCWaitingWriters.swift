import Synchronization

/// How many streams' writers wait for their peer to read (their outbound
/// buffer is at ``RPCConnectionConfiguration/outboundBufferLimit``), across
/// every connection that shares it. Each new highest count is reported once,
/// so a node can say when slow or unread peers hold it back without a line
/// per wait.
public final class RPCWaitingWriters: Sendable {
    private let counts = Mutex((waiting: 0, highest: 0))
    private let newHighest: @Sendable (Int) -> Void

    /// - Parameter newHighest: called with the count each time more writers
    ///   wait at once than ever before.
    public init(newHighest: @escaping @Sendable (Int) -> Void) {
        self.newHighest = newHighest
    }

    /// How many writers wait now.
    public var waiting: Int { counts.withLock { $0.waiting } }

    /// A writer started to wait.
    func writerWaits() {
        let high = counts.withLock { counts -> Int? in
            counts.waiting += 1
            guard counts.waiting > counts.highest else { return nil }
            counts.highest = counts.waiting
            return counts.highest
        }
        if let high { newHighest(high) }
    }

    /// A waiting writer was resumed (or failed, or cancelled).
    func writerResumed() {
        counts.withLock { $0.waiting -= 1 }
    }
}
