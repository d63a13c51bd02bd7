/// Exponential backoff with full jitter for redialling a peer: the n-th
/// delay is uniform in [base·2ⁿ / 2, base·2ⁿ], capped at `maximum`. A value;
/// the random numbers come in, so tests can pin them.
struct Backoff: Sendable {
    /// The first delay's upper bound.
    var base: Duration = .milliseconds(200)
    /// The largest delay.
    var maximum: Duration = .seconds(30)
    private var attempt = 0

    init(base: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.base = base
        self.maximum = maximum
    }

    /// The delay before the next attempt; `random` is uniform in [0, 1].
    mutating func next(random: Double) -> Duration {
        let ceiling = min(maximum, base * Double(1 << min(attempt, 20)))
        attempt += 1
        return ceiling * (0.5 + 0.5 * min(max(random, 0), 1))
    }

    /// How long a session must have lasted to count as one that worked.
    var stableAfter: Duration = .seconds(10)

    /// Starts over after a connection that worked.
    mutating func reset() { attempt = 0 }

    /// Records a session that ended after `duration`: one that lasted
    /// ``stableAfter`` starts the delays over; a shorter one does not, so a
    /// peer whose sessions break at once (a batch it refuses, a send that
    /// fails) is redialled with growing delays instead of in a hot loop.
    mutating func sessionEnded(after duration: Duration) {
        if duration >= stableAfter { reset() }
    }
}
