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
final class OriginDirectory: Sendable {
    private struct Entry: Sendable {
        var identity: OriginIdentity
        var chainDER: [[UInt8]]
        /// The end of the leaf certificate's validity.
        var notValidAfter: Date
    }

    private let entries = Mutex<[NodeID: Entry]>([:])
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

    /// The identity ops of `node` are checked against, if known.
    func identity(of node: NodeID) -> OriginIdentity? {
        entries.withLock { $0[node]?.identity }
    }

    /// When the certificate of `node` stops being valid, if known.
    func notValidAfter(of node: NodeID) -> Date? {
        entries.withLock { $0[node]?.notValidAfter }
    }

    /// The certificate chain of `node` (leaf first); empty if unknown.
    func chain(of node: NodeID) -> [Certificate] {
        (entries.withLock { $0[node]?.chainDER } ?? []).compactMap { try? Certificate(derEncoded: $0) }
    }

    /// The certificate of `node` as sent with its ops, if known.
    func certificate(of node: NodeID) -> Kiem_V1_NodeCertificate? {
        guard let chain = entries.withLock({ $0[node]?.chainDER }) else { return nil }
        return Kiem_V1_NodeCertificate.with {
            $0.nodeID = node.rawValue
            $0.chainDer = chain.map { Data($0) }
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
        let known = entries.withLock { $0[node]?.chainDER }
        if known == offered.chainDer.map({ [UInt8]($0) }) { return }
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

    /// Keeps the identity; a new one is also written to the store (on the
    /// thread pool, never on an event loop).
    private func record(_ identity: OriginIdentity, chain: [Certificate], persist: Bool) async throws {
        guard let leaf = chain.first else { return }
        let der = try chain.map { try Array($0.serializeAsPEM().derBytes) }
        let isNew = entries.withLock { entries in
            guard entries[identity.node]?.chainDER != der else { return false }
            entries[identity.node] = Entry(identity: identity, chainDER: der, notValidAfter: leaf.notValidAfter)
            return true
        }
        if isNew, persist {
            let certificate = StoredCertificate(
                node: identity.node, organisation: identity.organisation, chainPEM: try PEMFiles.pem(chain))
            let store = self.store
            try await pool.runIfActive { try store.saveCertificate(certificate) }
        }
    }
}
