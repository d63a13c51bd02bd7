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
    /// Raised when a revocation is added.
    let changes = ChangeSignal()
    private let roots: [Certificate]
    private let store: KiemStore
    private let pool: NIOThreadPool
    private let counters: NodeCounters
    private let logger: Logger

    init(store: KiemStore, roots: [Certificate], counters: NodeCounters, pool: NIOThreadPool = .singleton, logger: Logger) {
        self.store = store
        self.roots = roots
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

    /// The refusal of a session with `peer`, counted, if it is revoked.
    func refusal(for peer: PeerIdentity) -> PeerRefusal? {
        guard let revocation = revocation(of: peer) else { return nil }
        let refusal = PeerRefusal.revoked(
            presented: peer.description, revocation: "\(revocation.revocation)", reason: revocation.revocation.reason)
        counters.recordRefusedConnection(from: peer.node, reason: refusal.code)
        return refusal
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
        let isNew = held.withLock { held in
            guard held[verified.id] == nil else { return false }
            held[verified.id] = (verified, receivedMillis)
            return true
        }
        guard isNew, let rejected else { return nil }
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
