/// A hybrid logical clock reading: wall-clock milliseconds since 1970 in the
/// high 48 bits and a logical counter in the low 16, so timestamps compare as
/// integers.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value.
    public let rawValue: UInt64

    /// The zero timestamp, before every real one.
    public static let zero = HLCTimestamp(rawValue: 0)

    /// Wraps a packed value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Packs milliseconds and a logical counter.
    public init(wallMillis: UInt64, logical: UInt16) {
        precondition(wallMillis < 1 << 48, "wall clock beyond year 10889")
        self.rawValue = wallMillis << 16 | UInt64(logical)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var wallMillis: UInt64 { rawValue >> 16 }

    /// The day (UTC) it falls on, counted from 1970-01-01.
    public var day: UInt32 { UInt32(wallMillis / millisPerDay) }

    /// The logical counter, for events within one millisecond.
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// `millis.logical`, e.g. `1764428400000.3`.
    public var description: String { "\(wallMillis).\(logical)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Milliseconds in a day, for reckoning in days and weeks (UTC, no leap
/// seconds, as HLC wall times are).
let millisPerDay: UInt64 = 86_400_000
