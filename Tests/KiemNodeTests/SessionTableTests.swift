import KiemCore
@testable import KiemNode
import Testing

@Suite("session table and backoff, as values")
struct SessionTableTests {
    let low = try! NodeID("a-1")
    let high = try! NodeID("b-1")

    @Test("one session per peer: a second session in the same direction is refused")
    func oneSessionPerPeer() {
        var table = SessionTable(local: low)
        guard case let .accepted(first, replacing) = table.open(peer: high, direction: .outbound) else {
            Issue.record("first session refused")
            return
        }
        #expect(replacing == nil)
        #expect(table.open(peer: high, direction: .outbound) == .refused(keeping: first))
        table.close(first)
        #expect(table.sessions.isEmpty)
    }

    @Test("when both nodes dial, both sides keep the connection the lower node id dialled")
    func crossedDialsAgree() {
        // On a-1: its own outbound (a-1 dialled) and b-1's inbound.
        var atLow = SessionTable(local: low)
        guard case let .accepted(lowOutbound, _) = atLow.open(peer: high, direction: .outbound) else { return }
        #expect(atLow.open(peer: high, direction: .inbound) == .refused(keeping: lowOutbound))

        // On b-1, in the other order: its own outbound first, then a-1's inbound wins.
        var atHigh = SessionTable(local: high)
        guard case let .accepted(highOutbound, _) = atHigh.open(peer: low, direction: .outbound) else { return }
        guard case let .accepted(inbound, replacing) = atHigh.open(peer: low, direction: .inbound) else {
            Issue.record("b-1 refused the connection a-1 dialled")
            return
        }
        #expect(replacing == highOutbound)
        #expect(inbound.direction == .inbound)
        // Closing the replaced session does not drop the winner.
        atHigh.close(highOutbound)
        #expect(atHigh.sessions[low] == inbound)
    }

    @Test("backoff grows exponentially with jitter up to the maximum and starts over after a reset")
    func backoff() {
        var backoff = Backoff(base: .milliseconds(100), maximum: .seconds(2))
        #expect(backoff.next(random: 1) == .milliseconds(100))
        #expect(backoff.next(random: 1) == .milliseconds(200))
        #expect(backoff.next(random: 0) == .milliseconds(200))
        for _ in 0..<10 { _ = backoff.next(random: 1) }
        #expect(backoff.next(random: 1) == .seconds(2))
        #expect(backoff.next(random: 0) == .seconds(1))
        backoff.reset()
        #expect(backoff.next(random: 0.5) == .milliseconds(75))
    }

    @Test("sessions that break at once keep the backoff growing; one that lasted starts it over")
    func backoffAfterShortSessions() {
        var backoff = Backoff(base: .milliseconds(100), maximum: .seconds(30))
        var delays: [Duration] = []
        for _ in 0..<5 {
            backoff.sessionEnded(after: .milliseconds(50))
            delays.append(backoff.next(random: 1))
        }
        #expect(delays == [100, 200, 400, 800, 1_600].map { Duration.milliseconds($0) })
        backoff.sessionEnded(after: backoff.stableAfter)
        #expect(backoff.next(random: 1) == .milliseconds(100))
    }
}
