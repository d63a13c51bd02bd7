import Foundation
import GRDB
import KiemCore

/// ``KiemCore/ApplyContext`` on the SQLite store, for one batch inside one
/// write transaction.
///
/// Op rows are written as decisions are made; each touched initiative is
/// kept in a batch-local cache and its materialized rows (initiative,
/// themes, adoptions, full-text) are written once, by ``finish()``, with the
/// version vector.
struct StoreApplyContext: ApplyContext {
    /// At most this many held ops are indexed in memory; above it every
    /// release is a query.
    static let heldKeyIndexLimit = 50_000

    private let db: Database
    private let sharedCache: InitiativeCache
    /// The contiguous prefix per origin, including this batch's ops so far.
    private var vector: [NodeID: UInt64]
    private var advancedOrigins: Set<NodeID> = []
    private var cache: [InitiativeID: CachedInitiative] = [:]
    private var dirty: [InitiativeID] = []
    /// Held ops released in this batch and not yet decided again: their op
    /// rows exist with status held.
    private var released: Set<OpID> = []
    /// The keys with held ops, when there are few enough to know them all;
    /// nil means "ask the database".
    private var heldKeys: Set<HoldKey>?
    /// For tests: throw after this many more decisions were written, to
    /// check that a batch failing halfway leaves nothing applied.
    var faultAfterDecisions: Int?

    /// An initiative as the batch sees it.
    private struct CachedInitiative {
        var state: Initiative?
        /// The existing row, if the initiative was materialized before.
        var stored: StoredRow?
        var isDirty = false
    }

    /// What the batch needs to know about an existing `initiative` row.
    private struct StoredRow {
        var rowid: Int64
        var texts: SearchTexts
    }

    /// Starts a batch: reads the version vector and what is held.
    init(db: Database, path: String, cache: InitiativeCache) throws {
        self.db = db
        self.sharedCache = cache
        var vector: [NodeID: UInt64] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT origin, seq FROM version_vector")
        while let row = try rows.next() {
            vector[try NodeID(row[0] as String)] = UInt64(bitPattern: row[1] as Int64)
        }
        self.vector = vector
        let heldCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM held_op") ?? 0
        if heldCount == 0 {
            heldKeys = []
        } else if heldCount <= Self.heldKeyIndexLimit {
            var keys: Set<HoldKey> = []
            let texts = try String.fetchCursor(db, sql: "SELECT DISTINCT waits_for FROM held_op")
            while let text = try texts.next() {
                guard let key = HoldKey(storeText: text) else {
                    throw StoreError.corrupt(path: path, reason: "held_op.waits_for '\(text)' is not a hold key")
                }
                keys.insert(key)
            }
            heldKeys = keys
        }
    }

    /// Checks that the batch continues every origin's log without a gap,
    /// counting ops earlier in the batch. Ops at or below the vector are
    /// duplicates, which ``KiemCore/OpApplier`` skips.
    func checkContiguity(_ ops: some Sequence<Op>) throws {
        var next: [NodeID: UInt64] = [:]
        for op in ops {
            let expected = next[op.origin] ?? (vector[op.origin] ?? 0) + 1
            if op.id.seq == expected {
                next[op.origin] = expected + 1
            } else if op.id.seq > expected {
                throw StoreError.gap(origin: op.origin, expected: expected, got: op.id.seq)
            }
        }
    }

    // MARK: ApplyContext

    func contains(_ id: OpID) -> Bool {
        id.seq <= vector[id.origin] ?? 0
    }

    mutating func initiative(_ id: InitiativeID) throws -> Initiative? {
        if let cached = cache[id] { return cached.state }
        var entry = CachedInitiative()
        if let shared = sharedCache.entry(id) {
            entry.state = shared.initiative
            entry.stored = StoredRow(rowid: shared.rowid, texts: shared.texts)
            cache[id] = entry
            return entry.state
        }
        let statement = try db.cachedStatement(sql: "SELECT rowid, title, summary, description FROM initiative WHERE id = ?")
        if let row = try Row.fetchOne(statement, arguments: [id.storeData]) {
            entry.stored = StoredRow(
                rowid: row[0], texts: SearchTexts(title: row[1], summary: row[2], description: row[3]))
            entry.state = try StoreReads.replayInitiative(id, in: db)
        }
        cache[id] = entry
        return entry.state
    }

    func reference(_ id: OpID) throws -> ReferencedOp {
        guard contains(id) else { return .unknown }
        let statement = try db.cachedStatement(sql: "SELECT status, canonical FROM op WHERE origin = ? AND seq = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id.origin.rawValue, Int64(bitPattern: id.seq)]) else {
            return .unknown
        }
        switch StoredOpStatus(rawValue: row[0]) {
        case .accepted: return .accepted(try Op(canonicalBytes: [UInt8](row[1] as Data)))
        case .rejected: return .rejected
        case .held, nil: return .unknown
        }
    }

    mutating func accept(_ op: Op) throws {
        try record(op, as: .accepted)
        let id = op.initiative
        if cache[id] == nil { _ = try initiative(id) }
        if !cache[id]!.isDirty {
            cache[id]!.isDirty = true
            dirty.append(id)
        }
        if case .create = op.mutation {
            cache[id]!.state = Initiative(creation: op)
        } else {
            cache[id]!.state?.apply(op)
        }
    }

    mutating func hold(_ op: Op, until key: HoldKey) throws {
        try record(op, as: .held)
        let statement = try db.cachedStatement(sql: "INSERT INTO held_op (origin, seq, waits_for) VALUES (?, ?, ?)")
        try statement.execute(arguments: [op.origin.rawValue, Int64(bitPattern: op.id.seq), key.storeText])
        heldKeys?.insert(key)
    }

    mutating func reject(_ op: Op, because rejection: Rejection) throws {
        try record(op, as: .rejected)
        let statement = try db.cachedStatement(sql: "INSERT INTO rejected_op (origin, seq, rule, reason) VALUES (?, ?, ?, ?)")
        try statement.execute(arguments: [
            op.origin.rawValue, Int64(bitPattern: op.id.seq), rejection.rule.rawValue, rejection.message,
        ])
    }

    mutating func releaseHeld(_ key: HoldKey) throws -> [Op] {
        if let heldKeys, !heldKeys.contains(key) { return [] }
        let text = key.storeText
        let select = try db.cachedStatement(sql: """
            SELECT op.canonical FROM held_op JOIN op USING (origin, seq)
            WHERE held_op.waits_for = ? ORDER BY held_op.rowid
            """)
        var ops: [Op] = []
        let rows = try Data.fetchCursor(select, arguments: [text])
        while let data = try rows.next() {
            let op = try Op(canonicalBytes: [UInt8](data))
            ops.append(op)
            released.insert(op.id)
        }
        if !ops.isEmpty {
            let delete = try db.cachedStatement(sql: "DELETE FROM held_op WHERE waits_for = ?")
            try delete.execute(arguments: [text])
        }
        heldKeys?.remove(key)
        return ops
    }

    // MARK: Writing

    /// Writes the op row for a decision: a new row, or a status change for a
    /// released held op.
    private mutating func record(_ op: Op, as status: StoredOpStatus) throws {
        if let remaining = faultAfterDecisions {
            guard remaining > 0 else { throw InjectedFault() }
            faultAfterDecisions = remaining - 1
        }
        let seq = Int64(bitPattern: op.id.seq)
        if released.remove(op.id) != nil {
            guard status != .held else { return }
            let statement = try db.cachedStatement(sql: "UPDATE op SET status = ? WHERE origin = ? AND seq = ?")
            try statement.execute(arguments: [status.rawValue, op.origin.rawValue, seq])
            return
        }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO op (origin, seq, hlc, initiative, author, kind, status, canonical)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            op.origin.rawValue, seq, Int64(bitPattern: op.hlc.rawValue), op.initiative.storeData,
            op.author.rawValue, op.mutation.kind, status.rawValue, Data(op.canonicalBytes),
        ])
        if op.id.seq > vector[op.origin] ?? 0 {
            vector[op.origin] = op.id.seq
            advancedOrigins.insert(op.origin)
        }
    }

    /// Writes the version vector and every touched initiative's rows, and
    /// hands the new states to the shared cache once the transaction commits.
    func finish() throws {
        let vectorStatement = try db.cachedStatement(sql: """
            INSERT INTO version_vector (origin, seq) VALUES (?, ?)
            ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq
            """)
        for origin in advancedOrigins {
            try vectorStatement.execute(arguments: [origin.rawValue, Int64(bitPattern: vector[origin]!)])
        }
        var committed: [InitiativeID: InitiativeCache.Entry] = [:]
        for id in dirty.sorted() {
            guard let entry = cache[id], let state = entry.state else { continue }
            committed[id] = try materialize(state, stored: entry.stored)
        }
        let sharedCache = self.sharedCache
        db.afterNextTransaction { [committed] _ in sharedCache.store(committed) }
    }

    private func materialize(_ initiative: Initiative, stored: StoredRow?) throws -> InitiativeCache.Entry {
        let texts = SearchTexts(initiative)
        let rowid: Int64
        if let stored {
            rowid = stored.rowid
            let update = try db.cachedStatement(sql: """
                UPDATE initiative SET phase = ?, archived = ?, contested = ?, last_changed_hlc = ?,
                    title = ?, summary = ?, description = ?, visible_state = ?
                WHERE rowid = ?
                """)
            try update.execute(arguments: [
                initiative.currentPhase.phase.description, initiative.isArchived, initiative.isContestedAnywhere,
                Int64(bitPattern: initiative.lastChanged.rawValue),
                texts.title, texts.summary, texts.description, Data(initiative.visibleStateBytes), rowid,
            ])
            try db.cachedStatement(sql: "DELETE FROM initiative_theme WHERE initiative_rowid = ?")
                .execute(arguments: [rowid])
            try db.cachedStatement(sql: "DELETE FROM initiative_adoption WHERE initiative_rowid = ?")
                .execute(arguments: [rowid])
            if stored.texts != texts {
                try db.cachedStatement(sql: """
                    INSERT INTO initiative_fts (initiative_fts, rowid, title, summary, description)
                    VALUES ('delete', ?, ?, ?, ?)
                    """).execute(arguments: [rowid, stored.texts.title, stored.texts.summary, stored.texts.description])
            }
        } else {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO initiative (id, owner, phase, archived, contested, derived_from, created_hlc,
                    last_changed_hlc, title, summary, description, visible_state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try insert.execute(arguments: [
                initiative.id.storeData, initiative.owner.rawValue, initiative.currentPhase.phase.description,
                initiative.isArchived, initiative.isContestedAnywhere, initiative.derivedFrom?.storeData,
                Int64(bitPattern: initiative.createdAt.rawValue), Int64(bitPattern: initiative.lastChanged.rawValue),
                texts.title, texts.summary, texts.description, Data(initiative.visibleStateBytes),
            ])
            rowid = db.lastInsertedRowID
        }
        if stored?.texts != texts {
            try db.cachedStatement(sql: """
                INSERT INTO initiative_fts (rowid, title, summary, description) VALUES (?, ?, ?, ?)
                """).execute(arguments: [rowid, texts.title, texts.summary, texts.description])
        }
        let theme = try db.cachedStatement(sql: "INSERT INTO initiative_theme (initiative_rowid, theme) VALUES (?, ?)")
        for element in initiative.themes.elements {
            try theme.execute(arguments: [rowid, element])
        }
        let adoption = try db.cachedStatement(sql: """
            INSERT INTO initiative_adoption (initiative_rowid, organisation, status) VALUES (?, ?, ?)
            """)
        for (organisation, status) in initiative.adoptionStatuses {
            try adoption.execute(arguments: [rowid, organisation.rawValue, status.description])
        }
        return InitiativeCache.Entry(initiative: initiative, rowid: rowid, texts: texts)
    }
}

/// The error ``StoreApplyContext/faultAfterDecisions`` throws.
struct InjectedFault: Error, CustomStringConvertible {
    var description: String { "injected fault" }
}

extension Initiative {
    /// Whether any register (texts, phase, archive, adoption, endorsement)
    /// holds concurrent values.
    var isContestedAnywhere: Bool {
        TextField.allCases.contains { texts[$0].isContested } || phase.isContested || archived.isContested
            || adoptions.values.contains { $0.isContested } || endorsements.values.contains { $0.isContested }
    }
}
