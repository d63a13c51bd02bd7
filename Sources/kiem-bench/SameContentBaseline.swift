import ArgumentParser
import Foundation
import GRDB
import KiemCore
import KiemStore

/// The second baseline of `kiem-bench apply`: SQLite alone holding what the
/// store holds after the apply. The rows (op log, version vector, origins,
/// initiatives with their themes, adoptions and full-text entries) are
/// computed beforehand, from an in-memory replica, and bulk-inserted with
/// prepared statements, one transaction per batch, into a fresh store file:
/// the same tables, indexes, constraints, page size and pragmas as the
/// store, and nothing of what the store does per op (judging, merging,
/// the held and rejected bookkeeping, the cache).
///
/// The store time over this time is what the apply itself costs beyond
/// storing and indexing its results.
struct SameContentBaseline {
    /// One batch's rows, every value ready to bind.
    private struct Batch {
        /// Each op's id in the store (origin number and seq) and its row.
        var ops: [(id: Int64, row: ApplyBenchmark.BaselineRow)] = []
        /// The initiatives created in the batch, in their final state.
        var initiatives: [InitiativeRow] = []
    }

    private struct InitiativeRow {
        let id: Data
        let owner: String
        let phase: String
        let archived: Bool
        let derivedFrom: Data?
        let createdAt: Int64
        let lastChanged: Int64
        let title: String
        let summary: String
        let description: String
        let visibleHash: Data
        let portfolio: Data
        let themes: [String]
        let adoptions: [(organisation: String, status: String)]

        init(_ initiative: Initiative) {
            id = initiative.id.storeData
            owner = initiative.owner.rawValue
            phase = initiative.currentPhase.phase.description
            archived = initiative.isArchived
            derivedFrom = initiative.derivedFrom?.storeData
            createdAt = Int64(bitPattern: initiative.createdAt.rawValue)
            lastChanged = Int64(bitPattern: initiative.lastChanged.rawValue)
            title = initiative.title
            summary = initiative.text(.summary)
            description = initiative.text(.description)
            visibleHash = Data(initiative.visibleStateHash)
            portfolio = Data(PortfolioEntry(initiative).canonicalBytes)
            themes = initiative.themes.elements
            adoptions = initiative.adoptions.compactMap { organisation, register in
                register.value.map { (organisation.rawValue, $0.status.description) }
            }
        }
    }

    private let batches: [Batch]
    /// Each origin with its number, in the order they first appear.
    private let originNumbers: [(node: String, number: Int64)]

    /// Computes the rows, untimed. Each initiative's row is written once, in
    /// the batch that creates it, so every op of an initiative must be in
    /// that batch (in the benchmark corpus an initiative's five ops follow
    /// each other and batches hold a multiple of five).
    init(_ ops: [Op], batch size: Int) throws {
        var replica = Replica()
        replica.apply(ops)
        var numbers: [NodeID: Int64] = [:]
        var batches: [Batch] = []
        var start = 0
        while start < ops.count {
            let slice = ops[start..<min(start + size, ops.count)]
            var batch = Batch()
            var created: Set<InitiativeID> = []
            for op in slice {
                if numbers[op.origin] == nil { numbers[op.origin] = Int64(numbers.count + 1) }
                batch.ops.append((numbers[op.origin]! << 40 | Int64(op.id.seq), ApplyBenchmark.BaselineRow(op)))
                if case .create = op.mutation {
                    created.insert(op.initiative)
                    guard let initiative = replica.initiatives[op.initiative] else {
                        throw ValidationError("the corpus's create \(op.id) made no initiative")
                    }
                    batch.initiatives.append(InitiativeRow(initiative))
                } else if !created.contains(op.initiative) {
                    throw ValidationError("op \(op.id) is not in the batch that creates its initiative")
                }
            }
            // In id order, as the store writes a batch's initiatives.
            batch.initiatives.sort { $0.id.lexicographicallyPrecedes($1.id) }
            batches.append(batch)
            start += size
        }
        self.batches = batches
        originNumbers = numbers.map { ($0.key.rawValue, $0.value) }.sorted { $0.1 < $1.1 }
    }

    /// Creates a store file at `path` (for its schema), then inserts the
    /// rows; returns the seconds the inserts took.
    func insert(path: String) throws -> Double {
        try KiemStore.open(path: path).close()
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -65536")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let start = ProcessStatistics.now()
        var vector: [String: Int64] = [:]
        for (index, batch) in batches.enumerated() {
            try queue.inTransaction { db in
                if index == 0 {
                    let insertOrigin = try db.makeStatement(sql: "INSERT INTO origin (number, node) VALUES (?, ?)")
                    for (node, number) in originNumbers { try insertOrigin.execute(arguments: [number, node]) }
                }
                let insertOp = try db.cachedStatement(sql: """
                    INSERT INTO op (id, origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, NULL)
                    """)
                for (id, op) in batch.ops {
                    try insertOp.execute(arguments: [id, op.origin, op.seq, op.hlc, op.initiative, op.author, op.kind, op.canonical])
                    vector[op.origin] = op.seq
                }
                let upsertVector = try db.cachedStatement(sql: """
                    INSERT INTO version_vector (origin, seq) VALUES (?, ?)
                    ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq
                    """)
                for (origin, seq) in vector { try upsertVector.execute(arguments: [origin, seq]) }
                try Self.insert(batch.initiatives, into: db)
                return .commit
            }
        }
        let seconds = ProcessStatistics.now() - start
        try queue.close()
        return seconds
    }

    private static func insert(_ initiatives: [InitiativeRow], into db: Database) throws {
        let insertInitiative = try db.cachedStatement(sql: """
            INSERT INTO initiative (id, owner, phase, archived, contested, derived_from, created_hlc,
                last_changed_hlc, title, summary, visible_hash, portfolio)
            VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertTheme = try db.cachedStatement(sql: "INSERT INTO initiative_theme (initiative_rowid, theme) VALUES (?, ?)")
        let insertAdoption = try db.cachedStatement(sql: """
            INSERT INTO initiative_adoption (initiative_rowid, organisation, status) VALUES (?, ?, ?)
            """)
        let insertSearch = try db.cachedStatement(sql: """
            INSERT INTO initiative_fts (rowid, title, summary, description) VALUES (?, ?, ?, ?)
            """)
        for row in initiatives {
            try insertInitiative.execute(arguments: [
                row.id, row.owner, row.phase, row.archived, row.derivedFrom, row.createdAt, row.lastChanged,
                row.title, row.summary, row.visibleHash, row.portfolio,
            ])
            let rowid = db.lastInsertedRowID
            for theme in row.themes {
                try insertTheme.execute(arguments: [rowid, theme])
            }
            for adoption in row.adoptions {
                try insertAdoption.execute(arguments: [rowid, adoption.organisation, adoption.status])
            }
            try insertSearch.execute(arguments: [rowid, row.title, row.summary, row.description])
        }
    }

}

