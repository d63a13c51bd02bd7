/// A hybrid logical clock (Kulkarni et al.) as a value: the wall clock is an
/// input, so the clock is deterministic and testable.
///
/// Readings never go backwards, even when the wall clock does, and always
/// exceed every timestamp the clock has seen.
public struct HybridLogicalClock: Sendable {
    /// The default tolerated clock skew: 5 minutes.
    public static let defaultMaxSkewMillis: UInt64 = 5 * 60 * 1000

    /// The latest timestamp issued or observed.
    public private(set) var last: HLCTimestamp
    /// How far ahead of the local wall clock a remote timestamp may be.
    public let maxSkewMillis: UInt64

    /// Creates a clock that continues after `last` (e.g. the highest timestamp
    /// in the local op log after a restart).
    public init(last: HLCTimestamp = .zero, maxSkewMillis: UInt64 = defaultMaxSkewMillis) {
        self.last = last
        self.maxSkewMillis = maxSkewMillis
    }

    /// A timestamp for a local event at wall time `wallMillis`.
    public mutating func tick(wallMillis: UInt64) -> HLCTimestamp {
        last = Self.successor(of: last, wallMillis: wallMillis)
        return last
    }

    /// Observes a remote timestamp, refusing it when it is more than
    /// `maxSkewMillis` ahead of `wallMillis`.
    public mutating func receive(_ remote: HLCTimestamp, wallMillis: UInt64) throws(ClockError) {
        guard remote.wallMillis <= wallMillis + maxSkewMillis else {
            throw .remoteTooFarAhead(remote: remote, localWallMillis: wallMillis, maxSkewMillis: maxSkewMillis)
        }
        if remote > last { last = remote }
    }

    private static func successor(of last: HLCTimestamp, wallMillis: UInt64) -> HLCTimestamp {
        if wallMillis > last.wallMillis { return HLCTimestamp(wallMillis: wallMillis, logical: 0) }
        if last.logical == .max { return HLCTimestamp(wallMillis: last.wallMillis + 1, logical: 0) }
        return HLCTimestamp(rawValue: last.rawValue + 1)
    }
}
