/// How many initiatives changed in one ISO week (Monday to Sunday, UTC): a
/// bar of the activity chart.
public struct ActivityWeek: Hashable, Sendable {
    /// The week's start: Monday 00:00 UTC, in milliseconds since 1970.
    public let start: UInt64
    /// The initiatives known to have changed in it.
    public internal(set) var initiatives = 0

    /// The ISO week, e.g. `2026-W49`: the week-year is that of its Thursday.
    public var label: String {
        let (year, dayOfYear) = Self.yearAndDay(ofDay: Int(start / millisPerDay) + 3)
        let week = dayOfYear / 7 + 1
        return "\(year)-W\(week < 10 ? "0" : "")\(week)"
    }

    /// The weeks, counted entry by entry: the `count` weeks up to and
    /// including the one of `now`, oldest first (fewer only for a `now` in
    /// 1970's first weeks).
    ///
    /// An initiative counts once in each week in which it was created or
    /// changed (``PortfolioEntry/activeDays``).
    struct Tally {
        private var weeks: [ActivityWeek]
        private let first: Int

        init(count: Int, now: UInt64) {
            precondition((1...64).contains(count), "between 1 and 64 weeks")
            let current = ActivityWeek.week(of: now)
            first = max(current - count + 1, 1)
            weeks = (first...current).map { ActivityWeek(start: UInt64($0 * 7 - 3) * millisPerDay) }
        }

        mutating func add(_ entry: PortfolioEntry) {
            // Newest first, down to the first week shown; days ascend, so a
            // week's days are adjacent and the entry counts there once.
            var previous = Int.max
            for day in entry.activeDays.reversed() {
                let week = ActivityWeek.week(ofDay: Int(day))
                guard week >= first else { break }
                let index = week - first
                if week != previous, weeks.indices.contains(index) { weeks[index].initiatives += 1 }
                previous = week
            }
        }

        func result() -> [ActivityWeek] { weeks }
    }

    /// The number of the week containing `millis`, counting from the one that
    /// started on Monday 1969-12-29 (day 0, 1970-01-01, was a Thursday).
    private static func week(of millis: UInt64) -> Int { week(ofDay: Int(millis / millisPerDay)) }

    /// The number of the week containing `day` (days since 1970-01-01).
    private static func week(ofDay day: Int) -> Int { (day + 3) / 7 }

    /// The Gregorian year of `day` (days since 1970-01-01, not negative) and
    /// the day's place in it from 0, after Howard Hinnant's `civil_from_days`
    /// (years counted from March, so the leap day comes last).
    private static func yearAndDay(ofDay day: Int) -> (year: Int, dayOfYear: Int) {
        let shifted = day + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayFromMarch = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchYear = yearOfEra + era * 400
        // March to December take 306 days; January and February belong to the next year.
        if dayFromMarch >= 306 { return (marchYear + 1, dayFromMarch - 306) }
        let isLeap = marchYear % 4 == 0 && (marchYear % 100 != 0 || marchYear % 400 == 0)
        return (marchYear, dayFromMarch + (isLeap ? 60 : 59))
    }
}
