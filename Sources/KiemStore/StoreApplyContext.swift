import Foundation
import GRDB
import KiemCore

/// ``KiemCore/ApplyContext`` on the SQLite store, for one batch inside one
/// write transaction.
///
/// Op rows are written as decisions are made; each touched initiative is
/// kept in a batch-local cache and its materialized rows (initiative,
/// themes, adoptions, full-text) are written once, by ``finish()``, with the
/// version vector. The per-op statements are bound through the C API
/// (``FastStatement``).
struct StoreApplyContext: ApplyContext {
    /// At most this many held ops are indexed in memory; above it every
    /// release is a query.
    static let heldKeyIndexLimit = 50_000

    private let db: Database
    private let path: String
    private let sharedCache: InitiativeCache
    /// The contiguous prefix per origin, including this batch's ops so far.
    private var vector: [NodeID: UInt64]
    /// Each origin's number (the high bits of its ops' ids), including
    /// origins numbered in this batch.
    private var originNumbers: [NodeID: Int64]
    private var nextOriginNumber: Int64
    /// The version vector as stored when the batch started.
    private let storedVector: [NodeID: UInt64]
    private var cache: [InitiativeID: CachedInitiative] = [:]
    private var dirty: [InitiativeID] = []
    /// Held ops released in this batch and not yet decided again: their op
    /// rows exist with status held.
    private var released: Set<OpID> = []
    /// The keys with held ops, when there are few enough to know them all;
    /// nil means "ask the database".
    private var heldKeys: Set<HoldKey>?
    /// The highest materialized initiative id when the batch started: an id
    /// above it needs no lookup (ids grow with time, so in a catch-up most
    /// creations are above it).
    private let highestStoredID: InitiativeID?
    /// For tests: throw after this many more decisions were written, to
    /// check that a batch failing halfway leaves nothing applied.
    var faultAfterDecisions: Int?
    /// Whether the batch decides again ops whose rows exist (see
    /// ``init(replayingAfter:db:path:cache:revocations:)``).
    private let replaying: Bool
    /// The batch's canonical bytes, if the caller had them; new ops are
    /// recorded in batch order, so `nextEncoded` only moves forward.
    private let encoded: [EncodedOp]
    private var nextEncoded = 0
    /// The store's revocations: ``KiemCore/Rules`` rejects revoked ops.
    let revocations: RevocationCutoffs
    private let insertOp: FastStatement

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
        /// What the full-text index holds for it.
        var texts: SearchTexts
    }

    /// Starts a batch: reads the version vector and, unless `heldKeys`
    /// (the committed keys of ``HeldKeyIndex``) are given, what is held.
    init(
        db: Database, path: String, cache: InitiativeCache, revocations: RevocationCutoffs = RevocationCutoffs(),
        heldKeys known: Set<HoldKey>? = nil, encoded: [EncodedOp] = []
    ) throws {
        try self.init(db: db, path: path, cache: cache, revocations: revocations, heldKeys: known, encoded: encoded, replayed: nil)
    }

    /// Starts a batch of a replay: the ops are stored already and are
    /// decided again, in id order, as if they arrived now (after the
    /// materialized tables, held and rejected ops were emptied). Only their
    /// status changes; the version vector is left alone. `replayed` is how far
    /// each origin's log was replayed by the batches before; the batch's
    /// ``replayed`` carries it on.
    init(
        replayingAfter replayed: [NodeID: UInt64], db: Database, path: String, cache: InitiativeCache,
        revocations: RevocationCutoffs
    ) throws {
        try self.init(db: db, path: path, cache: cache, revocations: revocations, heldKeys: nil, encoded: [], replayed: replayed)
    }

    /// How far each origin's log was replayed, including this batch.
    var replayed: [NodeID: UInt64] { vector }

    private init(
        db: Database, path: String, cache: InitiativeCache, revocations: RevocationCutoffs, heldKeys known: Set<HoldKey>?,
        encoded: [EncodedOp], replayed: [NodeID: UInt64]?
    ) throws {
        self.db = db
        self.revocations = revocations
        self.path = path
        self.sharedCache = cache
        self.encoded = encoded
        replaying = replayed != nil
        insertOp = try FastStatement(db, """
            INSERT INTO op (id, origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var originNumbers: [NodeID: Int64] = [:]
        var highestNumber: Int64 = 0
        let origins = try Row.fetchCursor(db, sql: "SELECT number, node FROM origin")
        while let row = try origins.next() {
            let number: Int64 = row[0]
            originNumbers[try NodeID(row[1] as String)] = number
            highestNumber = max(highestNumber, number)
        }
        self.originNumbers = originNumbers
        nextOriginNumber = highestNumber + 1
        var vector: [NodeID: UInt64] = replayed ?? [:]
        if replayed == nil {
            let rows = try Row.fetchCursor(db, sql: "SELECT origin, seq FROM version_vector")
            while let row = try rows.next() {
                vector[try NodeID(row[0] as String)] = UInt64(bitPattern: row[1] as Int64)
            }
        }
        self.vector = vector
        storedVector = vector
        highestStoredID = try Data.fetchOne(db, sql: "SELECT max(id) FROM initiative").flatMap(InitiativeID.init(storeData:))
        if let known {
            heldKeys = known
            return
        }
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
            guard op.id.seq <= Migrations.maxSeq else {
                throw StoreError.io(path: path, reason: "op \(op.id) has a seq above the store's limit of \(Migrations.maxSeq)")
            }
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

    mutating func withInitiative<Result>(
        _ id: InitiativeID, _ body: (Initiative?) throws -> Result
    ) throws -> Result {
        if cache.index(forKey: id) == nil { _ = try initiative(id) }
        return try Self.lend(&cache[id]!, body)
    }

    /// Lends the entry's state from its place in the batch cache.
    private static func lend<Result>(
        _ entry: inout CachedInitiative, _ body: (Initiative?) throws -> Result
    ) rethrows -> Result {
        try body(entry.state)
    }

    mutating func initiative(_ id: InitiativeID) throws -> Initiative? {
        if let index = cache.index(forKey: id) { return cache.values[index].state }
        var entry = CachedInitiative()
        if let shared = sharedCache.entry(id) {
            entry.state = shared.initiative
            entry.stored = StoredRow(rowid: shared.rowid, texts: shared.texts)
        } else if let highestStoredID, id <= highestStoredID {
            let lookup = try FastStatement(db, "SELECT rowid FROM initiative WHERE id = ?")
            try lookup.bind(1, (id.timestamp.rawValue, id.nodeHash))
            if let rowid = try lookup.fetchInt64() {
                guard let state = try StoreReads.replayInitiative(id, in: db) else {
                    throw StoreError.corrupt(path: path, reason: "initiative \(id) is materialized but has no accepted create op")
                }
                entry.state = state
                entry.stored = StoredRow(rowid: rowid, texts: SearchTexts(state))
            }
        }
        cache[id] = entry
        return entry.state
    }

    func reference(_ id: OpID) throws -> ReferencedOp {
        guard contains(id), let number = originNumbers[id.origin] else { return .unknown }
        let statement = try db.cachedStatement(sql: "SELECT status, canonical FROM op WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [Migrations.opID(originNumber: number, seq: id.seq)]) else {
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
        if cache.index(forKey: id) == nil { _ = try initiative(id) }
        // One in-place access to the entry, so the state is not copied.
        if Self.merge(op, into: &cache[id]!) { dirty.append(id) }
    }

    /// Applies an accepted op to the batch's entry; returns whether the
    /// entry became dirty.
    private static func merge(_ op: Op, into entry: inout CachedInitiative) -> Bool {
        if case .create = op.mutation {
            entry.state = Initiative(creation: op)
        } else {
            entry.state?.apply(op)
        }
        guard !entry.isDirty else { return false }
        entry.isDirty = true
        return true
    }

    mutating func hold(_ op: Op, until key: HoldKey) throws {
        let opID = try record(op, as: .held)
        let statement = try FastStatement(db, "INSERT INTO held_op (op, waits_for) VALUES (?, ?)")
        try statement.bind(1, opID)
        try statement.bind(2, key.storeText)
        try statement.execute()
        heldKeys?.insert(key)
    }

    mutating func reject(_ op: Op, because rejection: Rejection) throws {
        let opID = try record(op, as: .rejected)
        let statement = try FastStatement(db, "INSERT INTO rejected_op (op, rule, reason) VALUES (?, ?, ?)")
        try statement.bind(1, opID)
        try statement.bind(2, rejection.rule.rawValue)
        try statement.bind(3, rejection.message)
        try statement.execute()
    }

    mutating func releaseHeld(_ key: HoldKey) throws -> [Op] {
        if let heldKeys, !heldKeys.contains(key) { return [] }
        let text = key.storeText
        let select = try db.cachedStatement(sql: """
            SELECT op.canonical FROM held_op JOIN op ON op.id = held_op.op
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
            let delete = try FastStatement(db, "DELETE FROM held_op WHERE waits_for = ?")
            try delete.bind(1, text)
            try delete.execute()
        }
        heldKeys?.remove(key)
        return ops
    }

    // MARK: Writing

    /// Writes the op row for a decision: a new row, or a status change for a
    /// released held op. Returns the op's id (its rowid).
    @discardableResult
    private mutating func record(_ op: Op, as status: StoredOpStatus) throws -> Int64 {
        if let remaining = faultAfterDecisions {
            guard remaining > 0 else { throw InjectedFault() }
            faultAfterDecisions = remaining - 1
        }
        let seq = Int64(bitPattern: op.id.seq)
        let opID = Migrations.opID(originNumber: try originNumber(op.origin), seq: op.id.seq)
        let isReleased = !released.isEmpty && released.remove(op.id) != nil
        if isReleased || replaying {
            guard !isReleased || status != .held else { return opID }
            let update = try FastStatement(db, "UPDATE op SET status = ? WHERE id = ?")
            try update.bind(1, status.rawValue)
            try update.bind(2, opID)
            try update.execute()
            if !isReleased { Self.raise(&vector[op.origin, default: 0], to: op.id.seq) }
            return opID
        }
        try insertOp.bind(1, opID)
        try insertOp.bind(2, op.origin.rawValue)
        try insertOp.bind(3, seq)
        try insertOp.bind(4, Int64(bitPattern: op.hlc.rawValue))
        try insertOp.bind(5, (op.initiative.timestamp.rawValue, op.initiative.nodeHash))
        try insertOp.bind(6, op.author.rawValue)
        try insertOp.bind(7, op.mutation.kind)
        try insertOp.bind(8, status.rawValue)
        let encoded = encodedForm(of: op)
        try insertOp.bind(9, encoded.canonical)
        if let chain = encoded.proof?.chain { try insertOp.bind(10, chain) } else { try insertOp.bindNull(10) }
        if let signature = encoded.proof?.signature { try insertOp.bind(11, signature) } else { try insertOp.bindNull(11) }
        try insertOp.execute()
        // One access to the vector entry; `finish()` finds the advanced
        // origins by comparing with the vector the batch started from.
        Self.raise(&vector[op.origin, default: 0], to: op.id.seq)
        return opID
    }

    private static func raise(_ value: inout UInt64, to seq: UInt64) {
        if seq > value { value = seq }
    }

    /// The origin's number, numbering it (in this transaction) if it is new.
    private mutating func originNumber(_ origin: NodeID) throws -> Int64 {
        if let number = originNumbers[origin] { return number }
        let number = nextOriginNumber
        guard number <= Migrations.maxOriginNumber else {
            throw StoreError.io(path: path, reason: "the store cannot number more than \(Migrations.maxOriginNumber) origins")
        }
        let insert = try FastStatement(db, "INSERT INTO origin (number, node) VALUES (?, ?)")
        try insert.bind(1, number)
        try insert.bind(2, origin.rawValue)
        try insert.execute()
        originNumbers[origin] = number
        nextOriginNumber = number + 1
        return number
    }

    /// The op's canonical bytes and proof: the caller's, or encoded now
    /// (without a proof).
    private mutating func encodedForm(of op: Op) -> EncodedOp {
        while nextEncoded < encoded.count {
            let candidate = encoded[nextEncoded]
            nextEncoded += 1
            if candidate.op.id == op.id { return candidate }
        }
        return EncodedOp(op)
    }

    /// What a batch hands on once its transaction has committed.
    struct Committed {
        /// The new states, for the shared ``InitiativeCache``.
        var initiatives: [(InitiativeID, InitiativeCache.Entry)]
        /// The keys held ops wait for now, for ``HeldKeyIndex``; nil when
        /// there are too many to keep in memory.
        var heldKeys: Set<HoldKey>?
    }

    /// Writes the version vector and every touched initiative's rows, and
    /// returns what to hand on once the transaction has committed.
    mutating func finish() throws -> Committed {
        let upsert = try FastStatement(db, """
            INSERT INTO version_vector (origin, seq) VALUES (?, ?)
            ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq
            """)
        var advanced = false
        for (origin, seq) in vector where !replaying && storedVector[origin] != seq {
            try upsert.bind(1, origin.rawValue)
            try upsert.bind(2, Int64(bitPattern: seq))
            try upsert.execute()
            advanced = true
        }
        var committed: [(InitiativeID, InitiativeCache.Entry)] = []
        committed.reserveCapacity(dirty.count)
        let writer = try MaterializedWriter(db)
        for id in dirty.sorted() {
            // Moved out of the batch cache, which is done with: no copy.
            guard let entry = cache.removeValue(forKey: id), let state = entry.state else { continue }
            let texts = SearchTexts(state)
            let rowid = try writer.write(state, texts: texts, existing: entry.stored.map { ($0.rowid, $0.texts) })
            committed.append((id, InitiativeCache.Entry(initiative: state, rowid: rowid, texts: texts)))
        }
        // The statements above bypassed GRDB's change tracking.
        if advanced || !dirty.isEmpty || !released.isEmpty {
            try db.notifyChanges(in: DatabaseRegion.fullDatabase)
        }
        return Committed(
            initiatives: committed, heldKeys: (heldKeys?.count ?? .max) <= Self.heldKeyIndexLimit ? heldKeys : nil)
    }
}

/// The error ``StoreApplyContext/faultAfterDecisions`` throws.
struct InjectedFault: Error, CustomStringConvertible {
    var description: String { "injected fault" }
}
