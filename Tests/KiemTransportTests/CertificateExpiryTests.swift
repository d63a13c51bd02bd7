import Foundation
import KiemProtocol
import KiemTransport
import Testing

/// The certificate expiry value: thresholds and wording, with time as an input.
@Suite("Certificate expiry")
struct CertificateExpiryTests {
    /// 2026-05-01T00:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_777_593_600)

    static func node(expiringIn seconds: TimeInterval) -> CertificateExpiry {
        CertificateExpiry(kind: .node, name: "uwv-1", notValidAfter: now.addingTimeInterval(seconds))
    }

    @Test("fine beyond 30 days, expiring soon from 30 days before, expired at notAfter")
    func urgency() {
        let day: TimeInterval = 86_400
        #expect(Self.node(expiringIn: 30 * day + 1).urgency(at: Self.now) == .fine)
        #expect(Self.node(expiringIn: 30 * day).urgency(at: Self.now) == .expiresSoon)
        #expect(Self.node(expiringIn: 1).urgency(at: Self.now) == .expiresSoon)
        #expect(Self.node(expiringIn: 0).urgency(at: Self.now) == .expired)
        #expect(Self.node(expiringIn: -day).urgency(at: Self.now) == .expired)
        #expect(Self.node(expiringIn: -day).secondsLeft(at: Self.now) == -day)
    }

    @Test("no warning while more than 30 days are left; the remaining time in whole days, hours or minutes")
    func remaining() {
        let fine = Self.node(expiringIn: 364 * 86_400 + 3_600)
        #expect(fine.warning(at: Self.now) == nil)
        #expect(fine.remaining(at: Self.now) == "valid until 2027-04-30T01:00:00Z (364 days left)")
        #expect(Self.node(expiringIn: 10 * 86_400 + 60).remaining(at: Self.now) == "expires in 10 days, at 2026-05-11T00:01:00Z")
        #expect(Self.node(expiringIn: 86_400).remaining(at: Self.now) == "expires in 1 day, at 2026-05-02T00:00:00Z")
        #expect(Self.node(expiringIn: 5 * 3_600 + 59).remaining(at: Self.now).hasPrefix("expires in 5 hours, at "))
        #expect(Self.node(expiringIn: 12 * 60).remaining(at: Self.now).hasPrefix("expires in 12 minutes, at "))
        #expect(Self.node(expiringIn: 30).remaining(at: Self.now).hasPrefix("expires in less than a minute, at "))
        #expect(Self.node(expiringIn: -2 * 86_400).remaining(at: Self.now) == "expired 2 days ago, at 2026-04-29T00:00:00Z")
    }

    @Test("the warning names the certificate, when it expires and what to do, for the node, the CA and a peer")
    func warnings() {
        let inTenDays = Self.now.addingTimeInterval(10 * 86_400)
        #expect(CertificateExpiry(kind: .node, name: "uwv-1", notValidAfter: inTenDays).warning(at: Self.now)
            == "this node's certificate (uwv-1) expires in 10 days, at 2026-05-11T00:00:00Z; issue a new one "
            + "(kiemctl pki issue, deploy/PKI.md) and restart kiemd before then: peers refuse an expired certificate")
        #expect(CertificateExpiry(kind: .ca, name: "CN=Kiem", notValidAfter: inTenDays).warning(at: Self.now)
            == "the federation CA certificate (CN=Kiem) expires in 10 days, at 2026-05-11T00:00:00Z; every certificate it "
            + "issued stops being accepted then: the federation needs a new CA before then")
        #expect(CertificateExpiry(kind: .peer, name: "svb-1", notValidAfter: inTenDays).warning(at: Self.now)
            == "peer svb-1's certificate expires in 10 days, at 2026-05-11T00:00:00Z; ask the peer's operators to renew it: "
            + "this node refuses an expired certificate")
        #expect(Self.node(expiringIn: -3_600).warning(at: Self.now)
            == "this node's certificate (uwv-1) expired 1 hour ago, at 2026-04-30T23:00:00Z; peers refuse it: issue a new one "
            + "(kiemctl pki issue, deploy/PKI.md) and restart kiemd")
    }

    @Test("the Control API form keeps kind, name and notAfter (whole seconds); an unknown kind is dropped")
    func proto() {
        let expiry = CertificateExpiry(kind: .peer, name: "svb-1", notValidAfter: Self.now.addingTimeInterval(42))
        #expect(CertificateExpiry(proto: expiry.proto) == expiry)
        var unknown = expiry.proto
        unknown.kind = .unspecified
        #expect(CertificateExpiry(proto: unknown) == nil)
    }
}
