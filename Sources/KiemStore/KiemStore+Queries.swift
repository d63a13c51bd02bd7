import Foundation
import GRDB
public import KiemCore

extension KiemStore {
    /// The contiguous prefix of every origin's log that the store holds.
    public func versionVector() throws -> VersionVector {
        try perform { pool in try pool.read { db in try StoreReads.versionVector(in: db) } }
    }

    /// A cursor over the ops this store has and a peer with vector `peer`
    /// lacks: per origin, in seq order, in batches of at most `batchSize`.
    /// Held and rejected ops are included, since a peer needs the whole log
    /// to keep its vector contiguous (it judges them the same way).
    ///
    /// The cursor covers the store's vector at the time of this call and
    /// reads one batch per ``MissingOpsCursor/next()``, so its memory stays
    /// bounded by `batchSize` whatever the number of missing ops.
    /// - Parameter origins: only these origins' ops (nil: every origin's).
    public func missingOps(
        for peer: VersionVector, batchSize: Int = 1_000, origins: Set<NodeID>? = nil
    ) throws -> MissingOpsCursor {
        let ranges = try versionVector().missing(from: peer).filter { origins?.contains($0.origin) ?? true }
        return MissingOpsCursor(store: self, ranges: ranges, batchSize: batchSize)
    }

    /// The initiatives matching `query`: by relevance when it has text,
    /// otherwise newest first.
    public func initiatives(matching query: InitiativeQuery) throws -> [InitiativeSummary] {
        var conditions: [SQL] = []
        if let phase = query.phase { conditions.append("i.phase = \(phase.description)") }
        if let owner = query.owner { conditions.append("i.owner = \(owner.rawValue)") }
        if let theme = query.theme {
            conditions.append("i.rowid IN (SELECT initiative_rowid FROM initiative_theme WHERE theme = \(theme))")
        }
        if let organisation = query.adoptedBy {
            conditions.append("""
                i.rowid IN (SELECT initiative_rowid FROM initiative_adoption
                            WHERE organisation = \(organisation.rawValue) AND status <> 'dropped')
                """)
        }
        if let parent = query.derivedFrom { conditions.append("i.derived_from = \(parent.storeData)") }
        if !query.includeArchived { conditions.append("i.archived = 0") }
        var from: SQL = "initiative i"
        var order: SQL = "i.id DESC"
        if let text = query.text, !text.allSatisfy(\.isWhitespace) {
            guard let pattern = SearchPattern.fts5Query(for: text) else { return [] }
            from = "initiative_fts f JOIN initiative i ON i.rowid = f.rowid"
            conditions.append("initiative_fts MATCH \(pattern)")
            order = "f.rank, i.id DESC"
        }
        let whereClause: SQL = conditions.isEmpty ? "" : "WHERE " + conditions.map { "(" + $0 + ")" }.joined(separator: " AND ")
        let request = SQLRequest<InitiativeRow>(literal: """
            SELECT \(InitiativeRow.selection)
            FROM \(from) \(whereClause)
            ORDER BY \(order)
            LIMIT \(max(0, query.limit))
            """)
        return try perform { pool in
            try pool.read { db in try request.fetchAll(db).map { try $0.summary(path: path) } }
        }
    }

    /// One initiative with its whole CRDT value and every op received for
    /// it (accepted, held with what it waits for, rejected with the reason),
    /// oldest first. Nil if its create has not been accepted.
    public func initiative(_ id: InitiativeID) throws -> InitiativeRecord? {
        try perform { pool in
            try pool.read { db in
                guard let initiative = try StoreReads.replayInitiative(id, in: db) else { return nil }
                let ops = try OpRecord.all().filter(initiative: id).orderedByHLC().fetchAll(db)
                let held = try HeldOpRecord.fetchAll(db, initiative: id)
                let rejected = try RejectedOpRecord.fetchAll(db, initiative: id)
                let waits = Dictionary(held.map { (OpKey($0.origin, $0.seq), $0.waitsFor) }) { first, _ in first }
                let reasons = Dictionary(rejected.map { (OpKey($0.origin, $0.seq), $0) }) { first, _ in first }
                let history = try ops.map { record in
                    try Self.historyEntry(record, waitsFor: waits[OpKey(record.origin, record.seq)],
                                          rejected: reasons[OpKey(record.origin, record.seq)], path: path)
                }
                return InitiativeRecord(initiative: initiative, history: history)
            }
        }
    }

    /// The current state of one initiative, without its history; nil if its
    /// creation has not been accepted.
    /// Recently applied initiatives come from the apply path's cache (set
    /// once their batch committed), others are replayed from their ops.
    public func initiativeState(_ id: InitiativeID) throws -> Initiative? {
        if let cached = initiativeCache.entry(id) { return cached.initiative }
        return try perform { pool in try pool.read { db in try StoreReads.replayInitiative(id, in: db) } }
    }

    /// The op `id` if the store holds it and accepted it.
    public func acceptedOp(_ id: OpID) throws -> Op? {
        try perform { pool in
            try pool.read { db in
                guard id.seq <= Migrations.maxSeq,
                      let number = try Int64.fetchOne(db, sql: "SELECT number FROM origin WHERE node = ?",
                                                      arguments: [id.origin.rawValue])
                else { return nil }
                let row = try Row.fetchOne(db, sql: "SELECT status, canonical FROM op WHERE id = ?",
                                           arguments: [Migrations.opID(originNumber: number, seq: id.seq)])
                guard let row, StoredOpStatus(rawValue: row[0]) == .accepted else { return nil }
                return try Op(canonicalBytes: [UInt8](row[1] as Data))
            }
        }
    }

    /// The most recently rejected ops, newest first, with the rule each broke.
    public func rejectedOps(limit: Int = 100) throws -> [RejectedOp] {
        try perform { pool in
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT op.canonical, rejected_op.rule, rejected_op.reason
                    FROM rejected_op JOIN op ON op.id = rejected_op.op
                    ORDER BY rejected_op.rowid DESC LIMIT ?
                    """, arguments: [max(0, limit)]).map { row in
                    RejectedOp(
                        op: try Op(canonicalBytes: [UInt8](row[0] as Data)),
                        rejection: try Self.rejection(rule: row[1], reason: row[2], path: path))
                }
            }
        }
    }

    /// The canonical digest of the visible state (``KiemCore/StateDigest``
    /// over every initiative's stored visible-state hash, in id order). Equal
    /// to ``KiemCore/Replica/digest`` of a replica that received the same ops.
    /// - Throws: `StoreError.corrupt` for a row without a valid hash.
    public func digest() throws -> String {
        try perform { pool in
            try pool.read { db in
                var digest = StateDigest()
                let rows = try Row.fetchCursor(db, sql: "SELECT visible_hash FROM initiative ORDER BY id")
                while let row = try rows.next() {
                    let hash = try row.withUnsafeData(atIndex: 0) { data in data.map { [UInt8]($0) } }
                    guard let hash, hash.count == Initiative.visibleStateHashSize else {
                        throw StoreError.corrupt(path: path, reason: "an initiative row has no valid visible-state hash")
                    }
                    digest.add(visibleStateHash: hash)
                }
                return digest.finalize()
            }
        }
    }

    /// How many initiatives and ops the store holds.
    public func counts() throws -> StoreCounts {
        try perform { pool in try pool.read { db in try StoreReads.counts(in: db) } }
    }

    // MARK: Row decoding

    private struct OpKey: Hashable {
        var origin: String
        var seq: Int64
        init(_ origin: String, _ seq: Int64) {
            self.origin = origin
            self.seq = seq
        }
    }

    private static func historyEntry(
        _ record: OpRecord, waitsFor: String?, rejected: RejectedOpRecord?, path: String
    ) throws -> HistoryEntry {
        let op = try record.decodedOp()
        let status: OpStatus
        switch record.decision {
        case .accepted:
            status = .accepted
        case .held:
            guard let waitsFor, let key = HoldKey(storeText: waitsFor) else {
                throw StoreError.corrupt(path: path, reason: "held op \(op.id) has no valid hold key")
            }
            status = .held(key)
        case .rejected:
            status = .rejected(try rejection(rule: rejected?.rule, reason: rejected?.reason, path: path))
        case nil:
            throw StoreError.corrupt(path: path, reason: "op \(op.id) has an unknown status")
        }
        return HistoryEntry(op: op, status: status)
    }

    private static func rejection(rule: String?, reason: String?, path: String) throws -> Rejection {
        guard let rule, let parsed = Rejection.Rule(rawValue: rule), let reason else {
            throw StoreError.corrupt(path: path, reason: "a rejected op has no valid rule (\(rule ?? "none"))")
        }
        return Rejection(parsed, reason)
    }
}
