import Foundation
@testable import KiemNode
import KiemTransport
import Testing

/// When the daemon logs certificate warnings: at start, then at most once a day.
@Suite("Certificate reminder")
struct CertificateReminderTests {
    static let start = Date(timeIntervalSince1970: 1_777_593_600)
    static let day: TimeInterval = 86_400

    static let node = CertificateExpiry(kind: .node, name: "uwv-1", notValidAfter: start.addingTimeInterval(10 * day))
    static let ca = CertificateExpiry(kind: .ca, name: "CN=Kiem", notValidAfter: start.addingTimeInterval(3_650 * day))
    static let peer = CertificateExpiry(kind: .peer, name: "svb-1", notValidAfter: start.addingTimeInterval(-day))

    @Test("a certificate within 30 days or expired is due at the first review, then not again for a day, however often reviewed")
    func oncePerDay() {
        var reminder = CertificateReminder()
        let all = [Self.node, Self.ca, Self.peer]
        #expect(reminder.due(all, at: Self.start) == [Self.node, Self.peer], "the CA has ten years left: never due")
        for hour in 1..<24 {
            #expect(reminder.due(all, at: Self.start.addingTimeInterval(Double(hour) * 3_600)).isEmpty, "hour \(hour)")
        }
        #expect(reminder.due(all, at: Self.start.addingTimeInterval(Self.day)) == [Self.node, Self.peer])
        #expect(reminder.due(all, at: Self.start.addingTimeInterval(Self.day + 60)).isEmpty)
    }

    @Test("a certificate first met later (a peer that connects) is due at once; a renewed one is no longer due")
    func newAndRenewed() {
        var reminder = CertificateReminder()
        #expect(reminder.due([Self.node], at: Self.start) == [Self.node])
        let later = Self.start.addingTimeInterval(3_600)
        #expect(reminder.due([Self.node, Self.peer], at: later) == [Self.peer])
        let renewed = CertificateExpiry(kind: .node, name: "uwv-1", notValidAfter: Self.start.addingTimeInterval(365 * Self.day))
        #expect(reminder.due([renewed], at: Self.start.addingTimeInterval(2 * Self.day)).isEmpty)
    }
}
