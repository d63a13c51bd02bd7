import KiemCore

/// Whether the node may sign its next op without signing a seq twice.
///
/// A node's own log exists on its peers as well as in its store. A store
/// restored from a backup, or rebuilt empty for a node whose store was lost,
/// may lack the newest ops the node signed; signing the next seq then signs a
/// seq again, which every member treats as equivocation and answers by
/// refusing the node's ops from there (WIRE.md section 13). So:
/// - a store that is *marked* (``mark``: `kiemd --restore` or
///   `kiemd --rebuild-from-peers`) writes nothing until at least one peer
///   has said how far the node's own log goes;
/// - a marked store, or an empty one, does not write while a peer reports
///   more of the node's own log than the store holds: the node pulls it back
///   first (peers send it like any origin's ops), and then continues after
///   it. An empty store is the lost node whose operator forgot
///   `--rebuild-from-peers`.
///
/// A store that holds ops of its own and is not marked is the authority on
/// its own log: a peer's report (which may be a hostile member's invention)
/// does not stop its writes. An unmarked store that no peer reports own ops
/// for writes at once: the first node of a new federation, and
/// `kiemctl demo`'s fresh nodes.
/// A value, fed with what peers announced and asked with the store's own
/// seq; the ``OpLog`` holds one and asks it before every local write.
struct OwnLogGate: Sendable {
    /// Why the store waits for a peer before it writes (e.g. "restored from
    /// /backups/uwv-1.kiem"), nil when it does not.
    private(set) var mark: String?
    /// The highest seq of the node's own origin a peer said it holds, and
    /// that peer; nil before any peer said what it holds.
    private(set) var highestReport: (seq: UInt64, peer: NodeID)?

    init(mark: String? = nil) {
        self.mark = mark
    }

    /// Records that `peer` holds the node's own ops up to `seq` (from its
    /// handshake, or the `have` of its Pull or Subscribe).
    mutating func peer(_ peer: NodeID, holdsOwnOpsUpTo seq: UInt64) {
        if let highestReport, highestReport.seq >= seq { return }
        highestReport = (seq, peer)
    }

    /// What a write would be now.
    enum Verdict: Equatable, Sendable {
        /// Sign the next op.
        case write
        /// Sign the next op; the store has caught up, so its mark can go.
        case writeAndClearMark
        /// Do not write; the reason, for the operator.
        case wait(String)
    }

    /// Whether the node may sign seq `ownSeq + 1`.
    /// - Parameter ownSeq: the highest seq of its own origin the store holds.
    func verdict(ownSeq: UInt64) -> Verdict {
        if mark != nil || ownSeq == 0, let highestReport, highestReport.seq > ownSeq {
            return .wait("""
                this node signed ops up to seq \(highestReport.seq) (\(highestReport.peer) holds them) but its store \
                holds only up to seq \(ownSeq); it pulls them back from its peers before it writes again, so that \
                it never signs a seq twice (kiemctl sync, then try again)
                """)
        }
        guard let mark else { return .write }
        guard highestReport != nil else {
            return .wait("""
                this node's store was \(mark); it writes once a peer has said how far this node's own log goes and \
                those ops are back here, so that it never signs a seq twice (is a peer reachable? kiemctl peers list, \
                kiemctl sync)
                """)
        }
        return .writeAndClearMark
    }

    /// Forgets the mark once the store caught up (after ``Verdict/writeAndClearMark``).
    mutating func clearMark() {
        mark = nil
    }
}
