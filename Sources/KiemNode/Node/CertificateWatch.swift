import Foundation
import KiemCore
import KiemTransport
import Logging
import Synchronization
import X509

/// The certificates the node depends on and when each expires: its own, the
/// federation CA(s) it trusts, and each peer's as presented in its TLS
/// handshake. Read by `/metrics` (`kiem_certificate_expiry_seconds`) and
/// `kiemctl status`; ``run()`` logs a warning for each one that expires
/// within 30 days (an error once expired) when the node starts and then at
/// most once a day (``CertificateReminder``).
final class CertificateWatch: Sendable {
    /// How often ``run()`` looks again (a peer met since is covered then).
    static let reviewInterval: Duration = .seconds(3_600)

    /// The node's own certificate and the CA certificates: fixed while it runs.
    private let own: [CertificateExpiry]
    private let directory: OriginDirectory
    private let registry: PeerRegistry
    private let reminder = Mutex(CertificateReminder())
    private let logger: Logger

    init(node: NodeID, identity: NodeTLSIdentity, directory: OriginDirectory, registry: PeerRegistry, logger: Logger) {
        own = [CertificateExpiry(kind: .node, name: node.rawValue, notValidAfter: identity.certificate.notValidAfter)]
            + identity.trustRoots.map(CertificateExpiry.init(ca:))
        self.directory = directory
        self.registry = registry
        self.logger = logger
    }

    /// The node's certificate, the CA certificates, and the certificate of
    /// every peer a session was held with (peers sorted by node id).
    var current: [CertificateExpiry] {
        let peers = registry.peers.keys.sorted().compactMap { peer in
            directory.notValidAfter(of: peer).map { CertificateExpiry(kind: .peer, name: peer.rawValue, notValidAfter: $0) }
        }
        return own + peers
    }

    /// Logs the certificates due at `now` (see ``CertificateReminder``).
    func review(at now: Date) {
        let certificates = current
        let due = reminder.withLock { $0.due(certificates, at: now) }
        for certificate in due {
            guard let warning = certificate.warning(at: now) else { continue }
            let metadata: Logger.Metadata = [
                "kiem.certificate.kind": "\(certificate.kind.rawValue)",
                "kiem.certificate.name": "\(certificate.name)",
                "kiem.certificate.not_after": "\(ISO8601DateFormatter().string(from: certificate.notValidAfter))",
            ]
            if certificate.urgency(at: now) == .expired {
                logger.error("certificate expired: \(warning)", metadata: metadata)
            } else {
                logger.warning("certificate expires soon: \(warning)", metadata: metadata)
            }
        }
    }

    /// Reviews now and every ``reviewInterval`` until cancelled.
    func run() async {
        while !Task.isCancelled {
            review(at: Date())
            do {
                try await Task.sleep(for: Self.reviewInterval)
            } catch {
                return
            }
        }
    }
}
