import Foundation
import KiemCore

/// How the dashboard writes times: always UTC, days as `YYYY-MM-DD`,
/// moments as `YYYY-MM-DD HH:MM UTC`.
enum DisplayTime {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The moment `millis` milliseconds after 1970.
    static func date(millis: UInt64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// The wall-clock time of an HLC timestamp.
    static func date(_ timestamp: HLCTimestamp) -> Date {
        date(millis: timestamp.wallMillis)
    }

    /// `2026-03-01`.
    static func day(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// `2026-03-01 14:05 UTC`.
    static func minute(_ date: Date) -> String {
        let parts = utc.dateComponents([.hour, .minute], from: date)
        return day(date) + String(format: " %02d:%02d UTC", parts.hour ?? 0, parts.minute ?? 0)
    }
}
