import KiemWire
import NIOCore

/// A stream a client opened for a known method, handed from the connection's
/// event loop to the server's connection task, which runs its handler.
final class RPCAcceptedStream: Sendable {
    let id: StreamID
    let open: Frame.Open
    let deadline: NIODeadline?
    let peer: PeerIdentity?
    let route: RPCRoute
    let box: RPCStreamBox

    init(id: StreamID, open: Frame.Open, deadline: NIODeadline?, peer: PeerIdentity?, route: RPCRoute, box: RPCStreamBox) {
        self.id = id
        self.open = open
        self.deadline = deadline
        self.peer = peer
        self.route = route
        self.box = box
    }
}
