import KiemCore
@testable import KiemNode
import Logging
import Testing

@Suite("what the node knows a peer holds")
struct PeerRegistryTests {
    let peer = try! NodeID("svb-1")
    let uwv = try! NodeID("uwv-1")
    let rws = try! NodeID("rws-1")

    @Test("ops sent to a peer are not known to be held: a stream that broke must not stop another from sending them")
    func sentIsNotKnown() {
        let registry = PeerRegistry(local: uwv, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        registry.setKnowledge(of: peer, to: VersionVector([uwv: 3]))
        registry.peer(peer, wasSent: [OpID(origin: uwv, seq: 4), OpID(origin: uwv, seq: 5)])
        #expect(registry.knowledge(of: peer) == VersionVector([uwv: 3]))
        #expect(registry.peers[peer]?.assumedHoldings == VersionVector([uwv: 5]), "status and metrics count them")

        // What the peer sends us, it holds.
        registry.peer(peer, holds: [OpID(origin: rws, seq: 2)])
        #expect(registry.knowledge(of: peer) == VersionVector([uwv: 3, rws: 2]))

        // What it says at its next handshake replaces both.
        registry.setKnowledge(of: peer, to: VersionVector([uwv: 4]))
        #expect(registry.knowledge(of: peer) == VersionVector([uwv: 4]))
        #expect(registry.peers[peer]?.assumedHoldings == VersionVector([uwv: 4]))
    }

    @Test("merging vectors keeps the higher entry per origin")
    func merge() {
        var vector = VersionVector([uwv: 3, rws: 7])
        vector.merge(VersionVector([uwv: 5, rws: 2, peer: 1]))
        #expect(vector == VersionVector([uwv: 5, rws: 7, peer: 1]))
        #expect(VersionVector([uwv: 3]).merging(VersionVector([rws: 2])) == VersionVector([uwv: 3, rws: 2]))
    }
}
