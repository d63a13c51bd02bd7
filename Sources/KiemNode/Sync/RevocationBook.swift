import Foundation
import KiemCore
import KiemProtocol
import KiemStore
import KiemTransport
import Logging
import NIOPosix
import SwiftProtobuf
import Synchronization
import X509

/// The revocations this node holds (WIRE.md section 17): each checked
/// against the node's own trust roots when it arrives, from `kiemctl
/// revocations add` or from any peer, kept in the store, and applied there
/// (ops written at or after a revocation are rejected).
///
/// It also holds the CA's certificate revocation list (`[tls] crl`), read
/// at start and on SIGHUP, which refuses the handshakes of the certificates
/// it lists (only this node's: a CRL is not passed on, and does not reject
/// ops; a Kiem revocation does both).
///
/// The listener's and the dialler's TLS contexts ask ``refusal(for:)`` in
/// every handshake; ``changes`` wakes the exchanges that pass new
/// revocations on to peers and the shell that closes revoked peers'
/// connections.
final class RevocationBook: Sendable {
    /// The most revocations a node holds; more are refused
    /// (`RESOURCE_EXHAUSTED`), counted and logged.
    static let capacity = 1_000

    /// A revocation taken in.
    struct Added: Sendable {
        var revocation: VerifiedRevocation
        /// How many stored ops it rejected.
        var rejectedOps: Int
    }

    /// Why a revocation was not taken.
    enum Refusal: Error, CustomStringConvertible {
        /// It does not verify or decode.
        case invalid(RevocationError)
        /// The node holds ``RevocationBook/capacity`` revocations.
        case full

        var description: String {
            switch self {
            case let .invalid(error): "the revocation was refused: \(error)"
            case .full: "the node holds \(RevocationBook.capacity) revocations, its limit"
            }
        }
    }

    /// Each held revocation, by id, with when it was received.
    private let held = Mutex<[[UInt8]: (revocation: VerifiedRevocation, receivedMillis: UInt64)]>([:])
    /// The CRL of `[tls] crl`, if any (refuses handshakes only).
    private let crl = Mutex<CertificateRevocationList?>(nil)
    /// Raised when a revocation is added.
    let changes = ChangeSignal()
    private let roots: [Certificate]
    /// The CA certificates in this node's own chain, which may sign a CRL.
    private let intermediates: [Certificate]
    private let store: KiemStore
    private let pool: NIOThreadPool
    private let counters: NodeCounters
    private let logger: Logger

    init(
        store: KiemStore, roots: [Certificate], intermediates: [Certificate] = [], counters: NodeCounters,
        pool: NIOThreadPool = .singleton, logger: Logger
    ) {
        self.store = store
        self.roots = roots
        self.intermediates = intermediates
        self.counters = counters
        self.pool = pool
        self.logger = logger
    }

    /// Loads the stored revocations, checking each again.
    func loadStored() async throws {
        let store = self.store
        for stored in try await pool.runIfActive({ try store.revocations() }) {
            do {
                let signed = try Kiem_V1_SignedRevocation(serializedBytes: stored.signed)
                let verified = try VerifiedRevocation(verifying: signed, roots: roots)
                held.withLock { $0[verified.id] = (verified, stored.receivedMillis) }
            } catch {
                logger.warning("a stored revocation no longer verifies against the trust roots", metadata: [
                    "kiem.revocation": "\(stored.organisation)/\(stored.node.map(\.rawValue) ?? "*")", "kiem.error": "\(error)",
                ])
            }
        }
        counters.recordRevocations(held.withLock { $0.count })
    }

    /// Every revocation held, oldest first by time of effect.
    var all: [VerifiedRevocation] {
        held.withLock { $0.values.map(\.revocation) }.sorted { ($0.revocation.revokedAt, $0.hexID) < ($1.revocation.revokedAt, $1.hexID) }
    }

    /// Whether a revocation with this id is held.
    func holds(_ id: [UInt8]) -> Bool { held.withLock { $0[id] != nil } }

    /// The revocation that refuses `node` of `organisation` a session now, if any.
    func revocation(of node: NodeID, organisation: OrganisationID) -> VerifiedRevocation? {
        let now = Date()
        return held.withLock { held in
            held.values.lazy.map(\.revocation).first { $0.revocation.revokes(organisation: organisation, node: node, at: now) }
        }
    }

    /// The revocation that refuses `peer` a session now, if any.
    func revocation(of peer: PeerIdentity) -> VerifiedRevocation? {
        revocation(of: peer.node, organisation: peer.organisation)
    }

    /// The refusal of a session with `peer`, if a revocation or the CRL
    /// revokes it now.
    func refusalReason(for peer: PeerIdentity) -> PeerRefusal? {
        if let revocation = revocation(of: peer) {
            return .revoked(presented: peer.description, revocation: "\(revocation.revocation)", reason: revocation.revocation.reason)
        }
        guard let listed = crlListing(peer.chain.isEmpty ? [peer.certificate] : peer.chain) else { return nil }
        return .revoked(presented: peer.description, revocation: "certificate \(listed.certificate.serialNumber) in the CRL",
                        reason: "listed as revoked since \(listed.since)")
    }

    /// ``refusalReason(for:)``, counted: what the TLS contexts ask.
    func refusal(for peer: PeerIdentity) -> PeerRefusal? {
        guard let refusal = refusalReason(for: peer) else { return nil }
        counters.recordRefusedConnection(from: peer.node, reason: refusal.code)
        return refusal
    }

    /// The first certificate of `chain` the CRL revokes now, with since when.
    func crlListing(_ chain: [Certificate]) -> (certificate: Certificate, since: Date)? {
        guard let crl = crl.withLock({ $0 }) else { return nil }
        let now = Date()
        for certificate in chain {
            if let since = crl.revocation(of: certificate, at: now) { return (certificate, since) }
        }
        return nil
    }

    /// Reads the CRL at `path` on the thread pool and checks its signature
    /// against the trust roots and the CA certificates of the node's own
    /// chain; it replaces the one held. It does not raise ``changes``: a
    /// CRL travels to no peer, so the exchanges need not run again. On
    /// failure the one held stays.
    /// - Returns: the CRL read.
    @discardableResult
    func loadCRL(path: String) async throws -> CertificateRevocationList {
        let bytes = try await pool.runIfActive {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PKIError.unreadableFile(path: path, reason: "it does not exist or cannot be read")
            }
            return [UInt8](data)
        }
        let list: CertificateRevocationList
        do {
            list = try CertificateRevocationList(pemOrDER: bytes)
            _ = try list.verifiedIssuer(among: roots + intermediates)
        } catch .unreadableFile(_, let reason) {
            throw PKIError.unreadableFile(path: path, reason: reason)
        } catch {
            throw error
        }
        crl.withLock { $0 = list }
        logger.notice("certificate revocation list loaded", metadata: [
            "kiem.crl": "\(path)", "kiem.crl_issuer": "\(list.issuer)", "kiem.crl_revoked": "\(list.revoked.count)",
            "kiem.crl_next_update": "\(list.nextUpdate.map { "\($0)" } ?? "-")",
        ])
        return list
    }

    /// Checks `signed` against the trust roots and, if it is new, stores and
    /// applies it, then raises ``changes``.
    /// - Returns: nil if the node holds it already.
    func add(_ signed: Kiem_V1_SignedRevocation, from source: String) async throws(Refusal) -> Added? {
        let verified: VerifiedRevocation
        do {
            verified = try VerifiedRevocation(verifying: signed, roots: roots)
        } catch {
            throw .invalid(error)
        }
        if holds(verified.id) { return nil }
        guard held.withLock({ $0.count }) < Self.capacity else {
            counters.recordRevocationRefused()
            logger.warning("refused a revocation: the node holds as many as it may", metadata: [
                "kiem.revocation": "\(verified.revocation)", "kiem.source": "\(source)", "kiem.limit": "\(Self.capacity)",
            ])
            throw .full
        }
        let revocation = verified.revocation
        let receivedMillis = UInt64(Date().timeIntervalSince1970 * 1000)
        let stored = StoredRevocation(
            id: verified.id, organisation: revocation.organisation, node: revocation.node,
            revokedAt: revocation.revokedHLC, signed: (try? signed.serializedBytes()) ?? [], receivedMillis: receivedMillis)
        let store = self.store
        let rejected: Int?
        do {
            rejected = try await pool.runIfActive { try store.addRevocation(stored) }
        } catch {
            // A store failure is this node's fault, never the sender's.
            logger.error("could not store a revocation", metadata: ["kiem.revocation": "\(revocation)", "kiem.error": "\(error)"])
            throw .invalid(.malformed("this node could not store it"))
        }
        held.withLock { held in
            if held[verified.id] == nil { held[verified.id] = (verified, receivedMillis) }
        }
        // The store says whether it is new: of two arrivals at once (from two
        // peers), the one whose transaction stored it reports it.
        guard let rejected else { return nil }
        counters.recordRevocations(held.withLock { $0.count })
        logger.notice("revocation taken in", metadata: [
            "kiem.revocation": "\(revocation)", "kiem.revoked_at": "\(revocation.revokedAt)",
            "kiem.reason": "\(revocation.reason)", "kiem.source": "\(source)", "kiem.rejected_ops": "\(rejected)",
        ])
        changes.notify()
        return Added(revocation: verified, rejectedOps: rejected)
    }

    /// When each held revocation was received, by id.
    var receivedMillis: [[UInt8]: UInt64] {
        held.withLock { $0.mapValues(\.receivedMillis) }
    }

    /// The held revocations whose ids `known` lacks.
    func missing(from known: Set<[UInt8]>) -> [VerifiedRevocation] {
        all.filter { !known.contains($0.id) }
    }
}
