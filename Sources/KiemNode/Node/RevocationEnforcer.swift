import KiemConfiguration
import KiemCore
import KiemTransport
import Logging

/// Ends what the held revocations forbid: closes the listener's connections
/// with revoked peers and redials the peer links to them (whose new
/// handshakes the TLS contexts refuse). Runs once per change of the
/// ``RevocationBook``, whichever way the revocation came.
struct RevocationEnforcer: Sendable {
    let book: RevocationBook
    let server: RPCServer
    let peers: PeerSupervisor
    /// Where the peers' certificates are, for the CRL.
    let directory: OriginDirectory
    let node: NodeID
    let organisation: OrganisationID
    let logger: Logger

    /// Closes and redials; returns how many connections and links it ended.
    @discardableResult
    func enforce() -> Int {
        let book = self.book
        let directory = self.directory
        let closed = server.closeConnections { book.refusalReason(for: $0) != nil }
        let redialled = peers.redial { peer in
            book.revocation(of: peer.node, organisation: peer.organisation) != nil
                || book.crlListing(directory.chain(of: peer.node)) != nil
        }
        if closed + redialled > 0 {
            logger.notice("ended the sessions of revoked peers", metadata: [
                "kiem.connections_closed": "\(closed)", "kiem.links_redialled": "\(redialled)",
            ])
        }
        if let own = book.revocation(of: node, organisation: organisation) {
            logger.critical("this node was revoked by the federation CA: peers refuse it", metadata: [
                "kiem.revocation": "\(own.revocation)", "kiem.reason": "\(own.revocation.reason)",
            ])
        }
        return closed + redialled
    }

    /// Enforces at start and after every change, until cancelled.
    func run() async {
        while !Task.isCancelled {
            let generation = book.changes.generation
            enforce()
            await book.changes.wait(after: generation)
        }
    }
}
