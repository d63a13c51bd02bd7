import Foundation
import KiemProtocol
import KiemTransport

/// What `kiemctl status` prints: the node's identity, counts, digest, version
/// vector and peers.
struct StatusReport: CommandOutput, Equatable {
    var organisation: String
    var node: String
    /// "agency" or "regie".
    var role: String
    var softwareVersion: String
    var uptimeSeconds: UInt64
    /// Hex SHA-256 of the visible state; equal on converged replicas.
    var digest: String
    var initiatives: UInt64
    var ops: UInt64
    /// Ops waiting for a dependency.
    var heldOps: UInt64
    /// Ops the rules refused.
    var rejectedOps: UInt64
    /// Origins caught signing two different ops with one seq; the node
    /// accepts no more of their ops.
    var equivocations: [Equivocation]
    /// Origins at their held-op quota, whose later ops the node defers.
    var deferredOrigins: [DeferredOrigin]
    /// Origin node → the highest sequence number held from it.
    var versionVector: [String: UInt64]
    var connectedPeers: UInt32
    var peers: [PeerReport]
    /// Who may dial in: "members" (any federation member) or "peers".
    var accept: String
    /// The node's certificate, the CA certificates and the peers'
    /// certificates, with when each expires.
    var certificates: [CertificateReport]
    /// One sentence for each certificate that expires within 30 days or
    /// has expired, saying what to do.
    var warnings: [String]
    /// Why the node signs no new op now (a restored store waiting to learn
    /// its own log from a peer); absent when it writes.
    var writesPaused: String?

    /// The report of `status` as seen at `now` (certificate warnings depend on it).
    init(_ status: Kiem_V1_StatusResponse, now: Date = Date()) {
        organisation = status.organisation
        node = status.nodeID
        role = status.role.name
        softwareVersion = status.softwareVersion
        uptimeSeconds = status.uptimeSeconds
        digest = status.stateDigest
        initiatives = status.initiativeCount
        ops = status.opCount
        heldOps = status.heldOpCount
        rejectedOps = status.rejectedOpCount
        equivocations = status.equivocations.map { Equivocation(origin: $0.origin, seq: $0.seq) }
        deferredOrigins = status.deferredOrigins.map {
            DeferredOrigin(origin: $0.origin, seq: $0.seq, held: $0.held, quota: $0.quota)
        }
        versionVector = Dictionary(status.versionVector.entries.map { ($0.origin, $0.seq) }, uniquingKeysWith: max)
        connectedPeers = status.connectedPeerCount
        peers = status.peers.map(PeerReport.init)
        // A node from before `accept` existed answers UNSPECIFIED: it admits every member.
        accept = status.accept == .peers ? "peers" : "members"
        let expiries = status.certificates.compactMap(CertificateExpiry.init(proto:))
        certificates = expiries.map { CertificateReport($0, now: now) }
        warnings = expiries.compactMap { $0.warning(at: now) }
        writesPaused = status.writesPaused.isEmpty ? nil : status.writesPaused
    }

    var text: String {
        let vector = versionVector.keys.sorted().map { "\($0):\(versionVector[$0] ?? 0)" }
        var fields: [(label: String, value: String)] = [
            ("organisation", organisation),
            ("node", node),
            ("role", role),
            ("software", "\(softwareVersion), up \(Self.duration(uptimeSeconds))"),
            ("initiatives", "\(initiatives)"),
            ("ops", "\(ops) (held \(heldOps), rejected \(rejectedOps))"),
            ("digest", digest),
            ("version vector", vector.isEmpty ? "empty" : vector.joined(separator: " ")),
            ("peers", "\(connectedPeers) of \(peers.count) connected"),
            ("accept", accept == "peers" ? "peers (only the listed peers may dial in)" : "members (any federation member may dial in)"),
        ]
        for warning in warnings {
            fields.append(("warning", warning))
        }
        if let writesPaused {
            fields.append(("writes paused", writesPaused))
        }
        for equivocation in equivocations {
            fields.append(("equivocation", "\(equivocation.origin) signed two different ops with seq \(equivocation.seq); "
                + "its ops are no longer accepted (kiemd log; proof in status --json)"))
        }
        for deferred in deferredOrigins {
            fields.append(("held-op quota", "\(deferred.origin) has \(deferred.held) held ops (quota \(deferred.quota)); "
                + "its ops after seq \(deferred.seq) are deferred until it is down to half"))
        }
        let summary = Table.fields(fields).rendered
        return peers.isEmpty ? summary : summary + "\n\n" + PeerReport.table(peers, detailed: false).rendered
    }

    /// A certificate and the end of its validity.
    struct CertificateReport: Encodable, Equatable {
        /// "node", "ca" or "peer".
        var kind: String
        /// The node id for a node or peer certificate, the subject for a CA.
        var name: String
        var notValidAfter: Date
        /// Negative once expired.
        var secondsLeft: Int64

        init(_ expiry: CertificateExpiry, now: Date) {
            kind = expiry.kind.rawValue
            name = expiry.name
            notValidAfter = expiry.notValidAfter
            secondsLeft = Int64(expiry.secondsLeft(at: now).rounded(.down))
        }
    }

    /// An origin's equivocation.
    struct Equivocation: Encodable, Equatable {
        var origin: String
        var seq: UInt64
    }

    /// An origin whose ops the held-op quota defers.
    struct DeferredOrigin: Encodable, Equatable {
        var origin: String
        /// The last op of the origin the node took.
        var seq: UInt64
        var held: UInt64
        var quota: UInt64
    }

    /// "3d 4h", "2h 5m", "42s".
    static func duration(_ seconds: UInt64) -> String {
        let (days, hours, minutes) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(seconds % 60)s" }
        return "\(seconds)s"
    }
}
