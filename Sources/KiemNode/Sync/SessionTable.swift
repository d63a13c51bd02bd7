import KiemCore

/// Which sync session with each peer node is live, as a value: at most one
/// per node, however the two nodes dialled each other.
///
/// When both nodes dial at once, both keep the connection dialled by the
/// node with the lower id, so the two sides agree without talking. A session
/// that loses is refused (the caller closes it); one that wins replaces the
/// other, which its owner then cancels.
struct SessionTable: Sendable {
    /// Who opened the connection a session runs on.
    enum Direction: String, Sendable {
        /// This node dialled the peer.
        case outbound
        /// The peer dialled this node.
        case inbound
    }

    /// One live session.
    struct Session: Hashable, Sendable {
        var id: UInt64
        var peer: NodeID
        var direction: Direction
    }

    /// What ``open(peer:direction:)`` decided.
    enum Decision: Hashable, Sendable {
        /// The session is live; `replacing`, if set, must be cancelled.
        case accepted(Session, replacing: Session?)
        /// Another session with the peer is kept instead.
        case refused(keeping: Session)
    }

    /// This node.
    let local: NodeID
    private(set) var sessions: [NodeID: Session] = [:]
    private var nextID: UInt64 = 0

    init(local: NodeID) {
        self.local = local
    }

    /// Opens a session with `peer` on a connection opened in `direction`.
    mutating func open(peer: NodeID, direction: Direction) -> Decision {
        nextID += 1
        let session = Session(id: nextID, peer: peer, direction: direction)
        guard let existing = sessions[peer] else {
            sessions[peer] = session
            return .accepted(session, replacing: nil)
        }
        if existing.direction != direction, dialler(of: session) < dialler(of: existing) {
            sessions[peer] = session
            return .accepted(session, replacing: existing)
        }
        return .refused(keeping: existing)
    }

    /// Ends a session (a no-op if it was replaced already).
    mutating func close(_ session: Session) {
        if sessions[session.peer]?.id == session.id { sessions[session.peer] = nil }
    }

    private func dialler(of session: Session) -> NodeID {
        session.direction == .outbound ? local : session.peer
    }
}
