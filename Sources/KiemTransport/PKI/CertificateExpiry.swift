public import Foundation
public import X509

/// When one certificate a node depends on stops being valid, and what to
/// tell an operator about it: the metric `kiem_certificate_expiry_seconds`,
/// the warning in `kiemctl status` and the daemon log, and the lines of
/// `kiemd --check-config` all come from this value.
///
/// Time is an input: nothing here reads the clock.
///
/// ```swift
/// let expiry = CertificateExpiry(kind: .node, name: "uwv-1", notValidAfter: certificate.notValidAfter)
/// if let warning = expiry.warning(at: Date()) { logger.warning("\(warning)") }
/// ```
public struct CertificateExpiry: Sendable, Hashable {
    /// What the certificate is to the node.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The node's own certificate.
        case node
        /// A federation CA certificate the node trusts.
        case ca
        /// A peer's certificate, as presented in its TLS handshake.
        case peer
    }

    /// How close the end of the validity is.
    public enum Urgency: Int, Sendable, Hashable, Comparable {
        /// More than ``CertificateExpiry/warningPeriod`` left.
        case fine
        /// Valid, but it ends within ``CertificateExpiry/warningPeriod``.
        case expiresSoon
        /// No longer valid.
        case expired

        public static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// How long before the end of its validity a certificate is warned about:
    /// 30 days.
    public static let warningPeriod: TimeInterval = 30 * 86_400

    public var kind: Kind
    /// The node id for a node or peer certificate, the subject for a CA.
    public var name: String
    /// The end of the validity (the certificate's notAfter).
    public var notValidAfter: Date

    /// Describes one certificate.
    public init(kind: Kind, name: String, notValidAfter: Date) {
        self.kind = kind
        self.name = name
        self.notValidAfter = notValidAfter
    }

    /// A CA certificate, named by its subject.
    public init(ca certificate: Certificate) {
        self.init(kind: .ca, name: certificate.subject.description, notValidAfter: certificate.notValidAfter)
    }

    /// Seconds from `now` to the end of the validity; negative once expired.
    public func secondsLeft(at now: Date) -> TimeInterval {
        notValidAfter.timeIntervalSince(now)
    }

    /// How close the end of the validity is at `now`.
    public func urgency(at now: Date) -> Urgency {
        let left = secondsLeft(at: now)
        if left <= 0 { return .expired }
        return left <= Self.warningPeriod ? .expiresSoon : .fine
    }

    /// What the certificate is, for a sentence: "this node's certificate
    /// (uwv-1)", "the federation CA certificate (CN=…)", "peer svb-1's
    /// certificate".
    public var title: String {
        switch kind {
        case .node: "this node's certificate (\(name))"
        case .ca: "the federation CA certificate (\(name))"
        case .peer: "peer \(name)'s certificate"
        }
    }

    /// "valid until 2027-05-18T09:00:00Z (364 days left)", "expires in 10
    /// days, at 2026-05-28T09:00:00Z", "expired 2 days ago, at …".
    public func remaining(at now: Date) -> String {
        let left = secondsLeft(at: now)
        let when = Self.timestamp(notValidAfter)
        switch urgency(at: now) {
        case .fine: return "valid until \(when) (\(Self.span(left)) left)"
        case .expiresSoon: return "expires in \(Self.span(left)), at \(when)"
        case .expired: return "expired \(Self.span(-left)) ago, at \(when)"
        }
    }

    /// What to log and show in `kiemctl status` at `now`: nil while more
    /// than ``warningPeriod`` is left; else what expires when, and what to do.
    public func warning(at now: Date) -> String? {
        let urgency = urgency(at: now)
        guard urgency != .fine else { return nil }
        let advice: String
        switch kind {
        case .node:
            advice = urgency == .expired
                ? "peers refuse it: issue a new one (kiemctl pki issue, deploy/PKI.md) and restart kiemd"
                : "issue a new one (kiemctl pki issue, deploy/PKI.md) and restart kiemd before then: peers refuse an expired certificate"
        case .ca:
            advice = urgency == .expired
                ? "no certificate issued by it is accepted any more: the federation needs a new CA"
                : "every certificate it issued stops being accepted then: the federation needs a new CA before then"
        case .peer:
            advice = urgency == .expired
                ? "this node refuses it: ask the peer's operators to renew it"
                : "ask the peer's operators to renew it: this node refuses an expired certificate"
        }
        return "\(title) \(remaining(at: now)); \(advice)"
    }

    /// "364 days", "1 day", "5 hours", "1 hour", "12 minutes", "less than a
    /// minute": whole units, rounded down.
    static func span(_ seconds: TimeInterval) -> String {
        func count(_ number: Int, _ unit: String) -> String { number == 1 ? "1 \(unit)" : "\(number) \(unit)s" }
        let whole = Int(max(0, seconds).rounded(.down))
        if whole >= 86_400 { return count(whole / 86_400, "day") }
        if whole >= 3_600 { return count(whole / 3_600, "hour") }
        if whole >= 60 { return count(whole / 60, "minute") }
        return "less than a minute"
    }

    private static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
