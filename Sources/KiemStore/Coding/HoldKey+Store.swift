import KiemCore

extension HoldKey {
    /// The `held_op.waits_for` form: `initiative:<26 chars>` or
    /// `op:<origin>:<seq>`.
    var storeText: String {
        switch self {
        case let .initiative(id): "initiative:\(id)"
        case let .op(id): "op:\(id.origin.rawValue):\(id.seq)"
        }
    }

    /// Parses the `held_op.waits_for` form.
    init?(storeText text: String) {
        if text.hasPrefix("initiative:") {
            guard let id = try? InitiativeID(String(text.dropFirst("initiative:".count))) else { return nil }
            self = .initiative(id)
        } else if text.hasPrefix("op:") {
            let parts = text.dropFirst(3).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let origin = try? NodeID(String(parts[0])), let seq = UInt64(parts[1]) else {
                return nil
            }
            self = .op(OpID(origin: origin, seq: seq))
        } else {
            return nil
        }
    }
}
