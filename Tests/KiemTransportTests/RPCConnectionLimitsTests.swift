import KiemCore
@testable import KiemTransport
import Testing

/// The server's connection table as a value.
@Suite("connection limits")
struct RPCConnectionLimitsTests {
    final class Connection {}

    @Test("connections beyond the total are refused at accept; a closed one makes room")
    func total() {
        var table = RPCConnectionLimits.Table(limits: RPCConnectionLimits(total: 2, perPeer: 8))
        let connections = (0..<3).map { _ in Connection() }
        let ids = connections.map(ObjectIdentifier.init)
        let accepted = ids.map { table.accept($0) }
        #expect(accepted == [true, true, false])
        table.remove(ids[0])
        let again = table.accept(ids[2])
        #expect(again)
        withExtendedLifetime(connections) {}
    }

    @Test("one node gets at most its share of connections; other nodes still get in")
    func perPeer() throws {
        let uwv = try NodeID("uwv-1")
        let svb = try NodeID("svb-1")
        var table = RPCConnectionLimits.Table(limits: RPCConnectionLimits(total: 10, perPeer: 2))
        let connections = (0..<4).map { _ in Connection() }
        let ids = connections.map(ObjectIdentifier.init)
        for id in ids { _ = table.accept(id) }
        let admitted = [table.authenticate(ids[0], as: uwv), table.authenticate(ids[1], as: uwv),
                        table.authenticate(ids[2], as: uwv), table.authenticate(ids[3], as: svb)]
        #expect(admitted == [true, true, false, true])
        table.remove(ids[2])  // the refused one closes: nothing changes for uwv
        #expect(table.perNode[uwv] == 2)
        table.remove(ids[0])
        #expect(table.perNode[uwv] == 1 && table.open.count == 2)
        withExtendedLifetime(connections) {}
    }
}
