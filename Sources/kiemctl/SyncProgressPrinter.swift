import KiemProtocol

/// Turns the `Sync` stream into what `kiemctl sync` prints, with no I/O: a
/// line whenever a peer reaches another stage, and for a long catch-up a
/// progress line, rewritten in place on a terminal and printed every tenth
/// of the way otherwise.
struct SyncProgressPrinter: Sendable {
    /// A pull of at least this many ops gets a progress line.
    static let longCatchUp: UInt64 = 1_000
    /// Erases the rest of the terminal line.
    private static let clearLine = "\u{1B}[K"

    /// Whether output goes to a terminal, where a line can be rewritten.
    let isTerminal: Bool
    /// False prints nothing but the summary (`--json`).
    let showsProgress: Bool

    private var latest: [String: Kiem_V1_SyncProgress] = [:]
    private var order: [String] = []
    /// A terminal progress line is on screen (no newline after it yet).
    private var progressLineOpen = false
    /// Per peer, the last tenth of a long pull printed (not on a terminal).
    private var printedTenths: [String: UInt64] = [:]

    init(isTerminal: Bool, showsProgress: Bool = true) {
        self.isTerminal = isTerminal
        self.showsProgress = showsProgress
    }

    /// Records `update` and returns the text to write for it (maybe empty).
    mutating func receive(_ update: Kiem_V1_SyncProgress) -> String {
        let previous = latest[update.peer]
        if previous == nil { order.append(update.peer) }
        latest[update.peer] = update
        guard showsProgress else { return "" }
        if update.stage == .pulling, update.opsExpected >= Self.longCatchUp {
            return progress(update, isFirst: previous?.stage != .pulling)
        }
        guard previous?.stage != update.stage else { return "" }
        return closeProgressLine() + Self.describe(update) + "\n"
    }

    /// What to write once the stream has ended.
    mutating func finish() -> String {
        closeProgressLine()
    }

    /// The outcome per peer, in the order they first reported.
    var summary: SyncSummary {
        SyncSummary(peers: order.compactMap { latest[$0] }.map(SyncSummary.Peer.init))
    }

    private mutating func progress(_ update: Kiem_V1_SyncProgress, isFirst: Bool) -> String {
        let line = "\(update.peer)  pulling \(update.opsReceived)/\(update.opsExpected) ops "
            + "(\(min(100, update.opsReceived * 100 / update.opsExpected))%)"
        if isTerminal {
            progressLineOpen = true
            return "\r" + line + Self.clearLine
        }
        let tenth = update.opsReceived * 10 / update.opsExpected
        guard isFirst || tenth > printedTenths[update.peer, default: 0] else { return "" }
        printedTenths[update.peer] = tenth
        return line + "\n"
    }

    private mutating func closeProgressLine() -> String {
        guard progressLineOpen else { return "" }
        progressLineOpen = false
        return "\n"
    }

    private static func describe(_ update: Kiem_V1_SyncProgress) -> String {
        switch update.stage {
        case .pulling: "\(update.peer)  pulling \(update.opsExpected) ops"
        case .done: "\(update.peer)  done: received \(update.opsReceived), sent \(update.opsSent) ops"
        case .failed: "\(update.peer)  failed: \(update.error)"
        default: "\(update.peer)  \(update.stage.name)"
        }
    }
}

/// What `kiemctl sync` prints at the end.
struct SyncSummary: CommandOutput, Equatable {
    struct Peer: Encodable, Equatable {
        var peer: String
        /// "done", "failed", or the last stage reached if the stream ended before.
        var state: String
        var opsReceived: UInt64
        var opsSent: UInt64
        var error: String?

        init(_ progress: Kiem_V1_SyncProgress) {
            peer = progress.peer
            state = progress.stage.name
            opsReceived = progress.opsReceived
            opsSent = progress.opsSent
            error = progress.error.isEmpty ? nil : progress.error
        }
    }

    var peers: [Peer]

    var text: String {
        guard !peers.isEmpty else { return "no peers to sync with" }
        let done = peers.filter { $0.state == "done" }.count
        let received = peers.map(\.opsReceived).reduce(0, +)
        let sent = peers.map(\.opsSent).reduce(0, +)
        return "synced with \(done) of \(peers.count) peers; received \(received) ops, sent \(sent)"
    }
}
