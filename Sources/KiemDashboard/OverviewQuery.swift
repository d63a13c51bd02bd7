import Foundation
import KiemCore

/// The overview filters of a dashboard URL:
/// `?theme=ai&theme=mpc&org=uwv&label=werkagenda-2027&since=2026-01-01&stalled=90`.
///
/// `theme`, `org` and `label` may repeat or list several values separated by commas
/// (an initiative must match one of each); empty values are ignored, as an
/// empty form field sends them. Anything else is refused with a 400 that
/// says what is wrong.
struct OverviewQuery: Hashable, Sendable {
    /// Which initiatives to cover.
    var filter = OverviewFilter()
    /// The days without movement after which an initiative is stalled.
    var stalledAfterDays = 90
    /// The `since` day as given (`YYYY-MM-DD`), to show in the form.
    var since: String?

    /// The largest `stalled` accepted: ten years.
    static let maximumStalledDays = 3_650
    static let parameterNames = ["theme", "org", "label", "since", "stalled"]

    init() {}

    /// Reads the filters from a URL's query string (`nil` for none).
    init(query: String?) throws(DashboardError) {
        for (name, value) in Self.parameters(query) {
            guard Self.parameterNames.contains(name) else {
                throw .badRequest("\"\(name)\" is not a filter; use \(Self.parameterNames.joined(separator: ", "))")
            }
            // The form's text fields send lists as "a, b".
            let values = name == "theme" || name == "org" || name == "label" ? value.split(separator: ",").map(String.init) : [value]
            for value in values.map({ $0.trimmingCharacters(in: .whitespaces) }) where !value.isEmpty {
                try read(name, value)
            }
        }
    }

    private mutating func read(_ name: String, _ value: String) throws(DashboardError) {
        switch name {
        case "theme":
            filter.themes.insert(value)
        case "org":
            do {
                filter.owners.insert(try OrganisationID(value))
            } catch {
                throw .badRequest("org \"\(value)\" is not an organisation id (lowercase letters, digits and dashes)")
            }
        case "label":
            filter.labels.insert(value)
        case "since":
            guard let start = Self.startOfDay(value) else {
                throw .badRequest("since \"\(value)\" is not a date as YYYY-MM-DD")
            }
            filter.since = start
            since = value
        default:
            guard let days = Int(value), (0...Self.maximumStalledDays).contains(days) else {
                throw .badRequest("stalled \"\(value)\" is not a number of days from 0 to \(Self.maximumStalledDays)")
            }
            stalledAfterDays = days
        }
    }

    /// The filters as a query string, `?…`, or "" for none: to carry them
    /// into the export and API links.
    var queryString: String {
        var pairs = filter.themes.sorted().map { ("theme", $0) } + filter.owners.sorted().map { ("org", $0.rawValue) }
            + filter.labels.sorted().map { ("label", $0) }
        if let since { pairs.append(("since", since)) }
        if stalledAfterDays != 90 { pairs.append(("stalled", String(stalledAfterDays))) }
        guard !pairs.isEmpty else { return "" }
        return "?" + pairs.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
    }

    /// The name-value pairs of an `application/x-www-form-urlencoded` query
    /// string: `+` is a space, `%XX` a byte; a malformed escape is kept as
    /// written.
    static func parameters(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decoded(parts[0]), parts.count > 1 ? decoded(parts[1]) : "")
        }
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Midnight UTC at the start of `day` (`YYYY-MM-DD`), in milliseconds
    /// since 1970; nil unless it is a real date in that form.
    static func startOfDay(_ day: String) -> UInt64? {
        let parts = day.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]), year >= 1970
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth)) else { return nil }
        // Foundation rolls 2026-02-30 over to March; a real date reads back the same.
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == dayOfMonth else { return nil }
        return UInt64(date.timeIntervalSince1970 * 1000)
    }
}
