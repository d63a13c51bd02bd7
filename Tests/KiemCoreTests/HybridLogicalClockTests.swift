import KiemCore
import Testing

@Suite struct HybridLogicalClockTests {
    @Test func followsTheWallClock() {
        var clock = HybridLogicalClock()
        #expect(clock.tick(wallMillis: 1_000) == HLCTimestamp(wallMillis: 1_000, logical: 0))
        #expect(clock.tick(wallMillis: 1_000) == HLCTimestamp(wallMillis: 1_000, logical: 1))
        #expect(clock.tick(wallMillis: 1_005) == HLCTimestamp(wallMillis: 1_005, logical: 0))
    }

    @Test func staysMonotonicWhenTheWallClockGoesBack() {
        var clock = HybridLogicalClock()
        let first = clock.tick(wallMillis: 10_000)
        let second = clock.tick(wallMillis: 4_000)
        let third = clock.tick(wallMillis: 9_999)
        #expect(first < second && second < third)
        #expect(third.wallMillis == 10_000)
    }

    @Test func logicalOverflowMovesToTheNextMillisecond() {
        var clock = HybridLogicalClock(last: HLCTimestamp(wallMillis: 50, logical: .max))
        #expect(clock.tick(wallMillis: 10) == HLCTimestamp(wallMillis: 51, logical: 0))
    }

    @Test func remoteTimestampsPushTheClockForward() throws {
        var clock = HybridLogicalClock()
        try clock.receive(HLCTimestamp(wallMillis: 2_000, logical: 3), wallMillis: 1_900)
        #expect(clock.tick(wallMillis: 1_950) == HLCTimestamp(wallMillis: 2_000, logical: 4))
    }

    @Test func refusesARemoteTooFarAhead() {
        var clock = HybridLogicalClock(maxSkewMillis: 60_000)
        let remote = HLCTimestamp(wallMillis: 200_000, logical: 0)
        #expect(throws: ClockError.remoteTooFarAhead(remote: remote, localWallMillis: 100_000, maxSkewMillis: 60_000)) {
            try clock.receive(remote, wallMillis: 100_000)
        }
        #expect(clock.last == .zero)
        let message = ClockError.remoteTooFarAhead(remote: remote, localWallMillis: 100_000, maxSkewMillis: 60_000).description
        #expect(message.contains("100000 ms ahead"))
        #expect(HybridLogicalClock().maxSkewMillis == 300_000)
    }
}
