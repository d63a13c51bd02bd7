import Foundation
import KiemCore
import SwiftProtobuf
import KiemProtocol
import KiemStore
import KiemTransport
import NIOPosix
import Synchronization
import SwiftASN1
import X509

/// The certificates of origin nodes, by which their ops are verified: those
/// of peers (from the TLS handshake), those that arrive with relayed ops
/// (validated against the federation CA before use), and this node's own.
/// Kept in the store, so relayed ops can be verified and relayed on after a
/// restart.
///
/// A node has every certificate it was known by, newest first: after a key
/// rotation its older ops verify with the key they were signed with, and
/// relays pass all of them on. At most ``maxCertificatesPerNode``.
final class OriginDirectory: Sendable {
    private struct Entry: Sendable {
        var identity: OriginIdentity
        var publicKey: Certificate.PublicKey
        var chainDER: [[UInt8]]
        var notValidBefore: Date
        /// The end of the leaf certificate's validity.
        var notValidAfter: Date
    }

    /// The most certificates kept per node; a further one is refused.
    static let maxCertificatesPerNode = 16

    private let entries = Mutex<[NodeID: [Entry]]>([:])
    private let verifier: PeerCertificateVerifier
    private let store: KiemStore
    private let pool: NIOThreadPool

    init(store: KiemStore, verifier: PeerCertificateVerifier, pool: NIOThreadPool = .singleton) {
        self.store = store
        self.verifier = verifier
        self.pool = pool
    }

    /// Loads the stored certificates, keeping those that still validate
    /// (an expired one does, as at its last valid moment).
    /// - Returns: the nodes whose stored certificate no longer validates.
    func loadStored() async throws -> [(node: NodeID, reason: String)] {
        var refused: [(NodeID, String)] = []
        for stored in try store.certificates() {
            do {
                let chain = try PEMFiles.certificates(pem: stored.chainPEM, source: "stored certificate of \(stored.node)")
                try await learn(chain: chain, claimedNode: stored.node, persist: false)
            } catch {
                refused.append((stored.node, "\(error)"))
            }
        }
        return refused
    }

    /// The identity ops of `node` are checked against, if known: its newest
    /// certificate's key, and the other keys it had.
    func identity(of node: NodeID) -> OriginIdentity? {
        entries.withLock { entries in
            guard let known = entries[node], let newest = known.first else { return nil }
            var seen: Set<Certificate.PublicKey> = [newest.publicKey]
            let earlier = known.dropFirst().filter { seen.insert($0.publicKey).inserted }.map(\.identity.key)
            return OriginIdentity(
                node: node, organisation: newest.identity.organisation, key: newest.identity.key, earlierKeys: earlier)
        }
    }

    /// When the newest certificate of `node` stops being valid, if known.
    func notValidAfter(of node: NodeID) -> Date? {
        entries.withLock { $0[node]?.first?.notValidAfter }
    }

    /// The certificate chain of `node` (leaf first), its newest; empty if unknown.
    func chain(of node: NodeID) -> [Certificate] {
        (entries.withLock { $0[node]?.first?.chainDER } ?? []).compactMap { try? Certificate(derEncoded: $0) }
    }

    /// Every certificate of `node`, newest first, as sent with its ops.
    func certificates(of node: NodeID) -> [Kiem_V1_NodeCertificate] {
        (entries.withLock { $0[node] } ?? []).map { entry in
            Kiem_V1_NodeCertificate.with {
                $0.nodeID = node.rawValue
                $0.chainDer = entry.chainDER.map { Data($0) }
            }
        }
    }

    /// Records a peer's certificate, verified by the TLS handshake.
    func learn(_ peer: PeerIdentity) async throws {
        guard let identity = OriginIdentity(peer) else { return }
        try await record(identity, chain: peer.chain.isEmpty ? [peer.certificate] : peer.chain, persist: true)
    }

    /// Validates and records a certificate that came with relayed ops.
    func learn(_ offered: Kiem_V1_NodeCertificate) async throws(IngestError) {
        guard let node = try? NodeID(offered.nodeID) else {
            throw .malformed("a certificate names node \"\(offered.nodeID)\", which is not a node id")
        }
        let offeredDER = offered.chainDer.map { [UInt8]($0) }
        if entries.withLock({ $0[node]?.contains { $0.chainDER == offeredDER } ?? false }) { return }
        let chain: [Certificate]
        do {
            chain = try offered.chainDer.map { try Certificate(derEncoded: [UInt8]($0)) }
        } catch {
            throw .certificate(node: node.rawValue, reason: "it does not parse: \(error)")
        }
        do {
            try await learn(chain: chain, claimedNode: node, persist: true)
        } catch let error as IngestError {
            throw error
        } catch {
            throw .certificate(node: node.rawValue, reason: "\(error)")
        }
    }

    /// Validates `chain` as an origin's certificate. An origin's ops are
    /// checked against the certificate it had when it signed them, so a
    /// certificate that has expired since is validated as at its last valid
    /// moment: it must still lead to a trust root, with valid signatures.
    /// (A TLS handshake, in contrast, needs a certificate valid now.)
    private func learn(chain: [Certificate], claimedNode: NodeID, persist: Bool) async throws {
        let now = Date()
        let at = chain.first.map { min(now, $0.notValidAfter.addingTimeInterval(-1)) } ?? now
        let peer: PeerIdentity
        switch await verifier.verify(presentedChain: chain, at: at) {
        case let .success(identity): peer = identity
        case let .failure(refusal): throw IngestError.certificate(node: claimedNode.rawValue, reason: "\(refusal)")
        }
        guard peer.node == claimedNode else {
            throw IngestError.certificate(node: claimedNode.rawValue, reason: "it certifies node \(peer.node)")
        }
        guard let identity = OriginIdentity(peer) else {
            throw IngestError.certificate(node: claimedNode.rawValue, reason: "its key cannot sign ops")
        }
        try await record(identity, chain: chain, persist: persist)
    }

    /// Keeps the identity beside the node's others (newest first by
    /// notBefore); a new one is also written to the store (on the thread
    /// pool, never on an event loop).
    private func record(_ identity: OriginIdentity, chain: [Certificate], persist: Bool) async throws {
        guard let leaf = chain.first else { return }
        let der = try chain.map { try Array($0.serializeAsPEM().derBytes) }
        let entry = Entry(identity: identity, publicKey: leaf.publicKey, chainDER: der,
                          notValidBefore: leaf.notValidBefore, notValidAfter: leaf.notValidAfter)
        let outcome: Bool? = entries.withLock { entries in
            var known = entries[identity.node] ?? []
            guard !known.contains(where: { $0.chainDER == der }) else { return false }
            guard known.count < Self.maxCertificatesPerNode else { return nil }
            known.append(entry)
            known.sort { $0.notValidBefore > $1.notValidBefore }
            entries[identity.node] = known
            return true
        }
        guard let isNew = outcome else {
            throw IngestError.certificate(
                node: identity.node.rawValue, reason: "the node has \(Self.maxCertificatesPerNode) certificates already, the most kept")
        }
        if isNew, persist {
            let certificate = StoredCertificate(
                node: identity.node, organisation: identity.organisation, chainPEM: try PEMFiles.pem(chain))
            let store = self.store
            try await pool.runIfActive { try store.saveCertificate(certificate) }
        }
    }
}
