import Foundation
import KiemTransport

/// Which certificate warnings the daemon logs now, as a value: each
/// certificate that expires within ``KiemTransport/CertificateExpiry/warningPeriod``
/// (or has expired) is logged at its first review and then at most once per
/// ``interval``, however often it is reviewed. Time is an input.
struct CertificateReminder: Sendable {
    /// How long a logged certificate stays quiet: a day.
    static let interval: TimeInterval = 86_400

    /// When each certificate (kind and name) was last logged.
    private var lastLogged: [Key: Date] = [:]

    private struct Key: Hashable {
        var kind: CertificateExpiry.Kind
        var name: String
    }

    /// The certificates of `certificates` to log at `now`; records them as logged.
    mutating func due(_ certificates: [CertificateExpiry], at now: Date) -> [CertificateExpiry] {
        certificates.filter { certificate in
            guard certificate.urgency(at: now) != .fine else { return false }
            let key = Key(kind: certificate.kind, name: certificate.name)
            if let last = lastLogged[key], now.timeIntervalSince(last) < Self.interval { return false }
            lastLogged[key] = now
            return true
        }
    }
}
