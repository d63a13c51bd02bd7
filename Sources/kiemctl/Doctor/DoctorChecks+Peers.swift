import Foundation
import KiemConfiguration
import KiemCore
import KiemTransport
import KiemWire
import NIOCore
import NIOPosix

extension DoctorChecks {
    /// A peer whose clock is further off than this is a warning.
    static let skewWarningMillis: Int64 = 60_000
    /// Further off than this is a failure: a node refuses ops stamped more
    /// than this far ahead of its own clock (the HLC's 5-minute rule).
    static let skewFailureMillis = Int64(HybridLogicalClock.defaultMaxSkewMillis)

    /// The peers to probe: those of the configuration file, then those added
    /// at run time (`kiemctl peers add`) as the node reports them.
    static func peersToProbe(configured: [NodeConfiguration.Peer], links: [PeerReport]) -> [NodeConfiguration.Peer] {
        var peers = configured
        for link in links where link.addedAtRuntime {
            guard let address = NodeConfiguration.Address(parsing: link.address),
                  let organisation = try? OrganisationID(link.organisation), let node = try? NodeID(link.node),
                  !peers.contains(where: { $0.node == node }) else { continue }
            peers.append(NodeConfiguration.Peer(address: address, organisation: organisation, node: node))
        }
        return peers
    }

    /// One line per peer: each probed peer judged by its fresh handshake,
    /// with kiemd's own link to it beside; then the peers kiemd reports
    /// that were not probed (they dialled this node), by kiemd's view alone.
    static func peers(
        _ probed: [(NodeConfiguration.Peer, PeerProbe.Outcome)], links: [PeerReport]
    ) -> [DoctorFinding] {
        var findings = probed.map { peer, outcome in
            self.peer(peer, outcome, link: links.first { $0.node == peer.node.rawValue })
        }
        for link in links where !probed.contains(where: { $0.0.node.rawValue == link.node }) {
            findings.append(inboundPeer(link))
        }
        return findings
    }

    /// A configured peer: reachable, the identity expected, its clock close
    /// to this machine's.
    static func peer(_ peer: NodeConfiguration.Peer, _ outcome: PeerProbe.Outcome, link: PeerReport?) -> DoctorFinding {
        let check = "peer \(peer.node)"
        let expected = "\(peer.organisation)/\(peer.node)"
        let answer: PeerProbe.Answer
        switch outcome {
        case .answered(let answered): answer = answered
        case .failed(let error): return failedProbe(check, peer: peer, error: error)
        }
        guard answer.organisation == peer.organisation.rawValue, answer.node == peer.node.rawValue else {
            return .fail(check, "at \(peer.address) the certificate proves \(answer.identity) but the handshake names "
                         + "\(answer.organisation)/\(answer.node)",
                         fix: "the peer's kiemd.toml must name the organisation and node its certificate names; tell its operator")
        }
        let clock = "clock \(skew(answer.skewMillis))"
        let magnitude = answer.skewMillis.magnitude
        let ntp = "synchronise the clocks of both machines (NTP: timedatectl status, chrony or systemd-timesyncd)"
        if magnitude > skewFailureMillis.magnitude {
            return .fail(check, "\(expected) at \(peer.address): \(clock); ops stamped more than 5 minutes ahead are refused",
                         fix: ntp)
        }
        if magnitude > skewWarningMillis.magnitude {
            return .warn(check, "\(expected) at \(peer.address): \(clock); above 5 minutes ops are refused", fix: ntp)
        }
        let detail = "\(expected) at \(peer.address): TLS and handshake in \(answer.roundTripMillis) ms, \(clock)"
        guard let link else { return .ok(check, detail) }
        switch link.state {
        case "connected":
            return .ok(check, detail + "; kiemd: connected, \(link.lagOps) ops behind")
        case "backoff", "failed":
            return .warn(check, detail + "; but kiemd's link is \(link.state)" + (link.lastError.map { ": \($0)" } ?? ""),
                         fix: "kiemd redials by itself; `kiemctl sync --peer \(peer.node)` tries now")
        default:
            return .ok(check, detail + "; kiemd: \(link.state)")
        }
    }

    /// Why a fresh connection failed, and what to do.
    private static func failedProbe(_ check: String, peer: NodeConfiguration.Peer, error: any Error) -> DoctorFinding {
        let refusal = (error as? PeerRefusal) ?? ((error as? RPCError)?.cause as? PeerRefusal)
        switch refusal {
        case .unexpectedPeer(let expected, let presented)?:
            return .fail(check, "at \(peer.address) is \(presented), not \(expected)",
                         fix: "correct this peer's address, organisation or node in kiemd.toml (or with kiemctl peers)")
        case .rejectedByPeer(let alert)?:
            return .fail(check, "\(peer.address) refused this node's certificate (TLS alert: \(alert))",
                         fix: "ask its operator whether it trusts the CA that issued this node's certificate and allows this node")
        case let other?:
            return .fail(check, "\(peer.address) presented a certificate this node refuses: \(other.sentence)",
                         fix: "the peer needs a valid certificate from the federation CA; tell its operator")
        case nil:
            return .fail(check, "unreachable at \(peer.address): \(connectionFailure(error))",
                         fix: "check that kiemd runs there, that \(peer.address) is its listen address, "
                             + "and that no firewall blocks TCP port \(peer.address.port)")
        }
    }

    /// Why dialling failed, in the operator's words: "connection refused",
    /// "no answer within 10 s", "cannot resolve …"; else the RPC error.
    static func connectionFailure(_ error: any Error) -> String {
        let rpc = error as? RPCError
        switch rpc?.cause ?? error {
        case let failure as NIOConnectionError:
            if failure.dnsAError != nil, failure.dnsAAAAError != nil {
                return "cannot resolve \(failure.host)"
            }
            let reasons = failure.connectionErrors.map { attempt in
                (attempt.error as? IOError).map { String(cString: strerror($0.errnoCode)).lowercased() } ?? "\(attempt.error)"
            }
            return reasons.isEmpty ? "\(failure)" : Array(Set(reasons)).sorted().joined(separator: "; ")
        case ChannelError.connectTimeout(let timeout):
            return "no answer within \(timeout.nanoseconds / 1_000_000_000) s"
        default:
            return rpc.map { "\($0.code): \($0.message)" } ?? "\(error)"
        }
    }

    /// A peer that kiemd reports but doctor did not dial: it dialled this node.
    private static func inboundPeer(_ link: PeerReport) -> DoctorFinding {
        let check = "peer \(link.node.isEmpty ? link.address : link.node)"
        let place = link.address.isEmpty ? "(it dialled this node)" : "at \(link.address)"
        guard link.state == "connected" else {
            return .fail(check, "\(link.state) \(place)" + (link.lastError.map { ": \($0)" } ?? ""),
                         fix: "check that it runs and is reachable, and that its certificate is from the federation CA")
        }
        return .ok(check, "connected \(place), \(link.lagOps) ops behind")
    }

    /// `+1.2 s ahead` / `6.5 min behind`, for a peer's clock against this
    /// machine's.
    static func skew(_ millis: Int64) -> String {
        let seconds = Double(millis.magnitude) / 1000
        let amount = seconds < 60 ? String(format: "%.1f s", seconds) : String(format: "%.1f min", seconds / 60)
        return millis >= 0 ? "\(amount) ahead" : "\(amount) behind"
    }
}
