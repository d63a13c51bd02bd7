import Foundation
import KiemCore
import KiemProtocol

/// How kiemctl writes times, op ids and lists for people: times as local
/// "2026-12-01 14:03" (JSON has ISO 8601 in UTC, see ``JSONOutput``).
enum Display {
    /// `date` in `timeZone` as "yyyy-MM-dd HH:mm".
    static func localTime(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// Unix milliseconds as a date; nil for 0 ("never").
    static func date(millis: UInt64) -> Date? {
        millis == 0 ? nil : Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// The wall-clock time of a packed HLC value; nil for 0.
    static func date(hlc: UInt64) -> Date? {
        date(millis: HLCTimestamp(rawValue: hlc).wallMillis)
    }

    /// A time for a table cell: local time, or "never".
    static func cell(_ date: Date?) -> String {
        date.map { localTime($0) } ?? "never"
    }

    /// An op id as kiemctl prints it: "uwv-1:12".
    static func op(_ op: Kiem_V1_OpID) -> String {
        "\(op.origin):\(op.seq)"
    }

    /// A list for a table cell: "a, b", or "-" when empty.
    static func list(_ items: [String]) -> String {
        items.isEmpty ? "-" : items.joined(separator: ", ")
    }
}
