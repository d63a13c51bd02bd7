import Foundation
import GRDB
import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// Migrating a store written by an earlier build keeps every op with its
/// bytes, status and proof, what is held and why ops were rejected, in their
/// order, what the store shows (digest, search, portfolio), and the store
/// keeps working afterwards.
@Suite struct MigrationTests {
    /// From the op-log layout keyed by an automatic rowid with a unique
    /// (origin, seq) index (before "v3-op-rowid").
    @Test func migratingToRowidOpIDsKeepsEveryOp() throws {
        try withTemporaryDirectory { directory in
            var reference = try Reference(in: directory)
            // The same content in the layout before "v3-op-rowid", op rows in
            // an order unrelated to their ids.
            try Self.writeOldLayout(at: directory.storePath, from: reference)

            let migrated = try KiemStore.open(path: directory.storePath)
            defer { try? migrated.close() }
            try #require(try migrated.pool.read { db in try Migrations.migrator.appliedIdentifiers(db) }.contains("v3-op-rowid"))
            #expect(try Snapshot(migrated) == reference.snapshot)
            // "v5-portfolio" filled in what the apply path writes.
            #expect(Set(try migrated.portfolio()) == reference.portfolio)
            try migrated.checkSearchIndex()
            try reference.checkContinues(migrated)
        }
    }

    /// From rows that kept the whole visible state (before
    /// "v6-visible-state-hash"): the hashes computed from it give the same
    /// digest, and the column is gone.
    @Test func migratingToVisibleStateHashesKeepsTheDigest() throws {
        try withTemporaryDirectory { directory in
            var reference = try Reference(in: directory)
            try Self.writeV5Layout(at: directory.storePath, from: reference)

            let migrated = try KiemStore.open(path: directory.storePath)
            defer { try? migrated.close() }
            let columns = try migrated.pool.read { db in try db.columns(in: "initiative").map(\.name) }
            #expect(columns.contains("visible_hash"))
            #expect(!columns.contains("visible_state"))
            #expect(try Snapshot(migrated) == reference.snapshot)
            #expect(Set(try migrated.portfolio()) == reference.portfolio)
            try migrated.checkSearchIndex()
            try reference.checkContinues(migrated)
        }
    }

    /// A store of this build holding the first half of a random history
    /// (with held and rejected ops), and what it shows.
    private struct Reference {
        let scenario: RandomScenario
        /// Every op in delivery order, with a made-up proof (the store keeps
        /// proofs as given); every third one signed.
        let encoded: [EncodedOp]
        let half: Int
        let path: String
        let snapshot: Snapshot
        let portfolio: Set<PortfolioEntry>
        /// What earlier layouts held per initiative row.
        let rows: [MaterializedRow]
        var rng: SeededGenerator

        struct MaterializedRow {
            var rowid: Int64
            var texts: SearchTexts
            var visibleState: [UInt8]
        }

        init(in directory: TemporaryDirectory) throws {
            scenario = RandomScenario(seed: 0x6B69_656D_000B, steps: 80)
            var rng = SeededGenerator(seed: 11)
            let delivery = Fixtures.interleaved(scenario.ops, using: &rng)
            half = delivery.count / 2
            let encoded = delivery.enumerated().map { index, op in
                EncodedOp(op, proof: OpProof(
                    chain: (0..<32).map { UInt8(truncatingIfNeeded: Int(op.id.seq) &* 31 &+ $0) },
                    signature: index % 3 == 0 ? [UInt8](op.origin.rawValue.utf8) : nil))
            }
            self.encoded = encoded
            path = directory.path("reference.sqlite")
            let store = try KiemStore.open(path: path)
            defer { try? store.close() }
            for batch in Fixtures.randomBatches(Array(encoded[..<half]), maximum: 9, using: &rng) {
                try store.apply(batch)
            }
            let counts = try store.counts()
            #expect(counts.held > 0 && counts.rejected > 0, "the history should hold and reject ops")
            snapshot = try Snapshot(store)
            portfolio = Set(try store.portfolio())
            var rows: [MaterializedRow] = []
            for summary in try store.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 10_000)) {
                let state = try #require(try store.initiativeState(summary.id))
                let rowid = try #require(try store.pool.read { db in
                    try Int64.fetchOne(db, sql: "SELECT rowid FROM initiative WHERE id = ?", arguments: [summary.id.storeData])
                })
                rows.append(MaterializedRow(rowid: rowid, texts: SearchTexts(state), visibleState: state.visibleStateBytes))
            }
            self.rows = rows
            self.rng = rng
        }

        /// Applies the rest of the history to `migrated` and checks that it
        /// ends where the in-memory replica does, and serves every op.
        mutating func checkContinues(_ migrated: KiemStore) throws {
            for batch in Fixtures.randomBatches(Array(encoded[half...]), maximum: 9, using: &rng) {
                try migrated.apply(batch)
            }
            var replica = Replica()
            replica.apply(scenario.ops)
            #expect(try migrated.digest() == replica.digest)
            #expect(try migrated.versionVector() == replica.versionVector)
            #expect(try migrated.counts().ops == replica.receivedOps.count)
            try migrated.checkSearchIndex()
            var cursor = try migrated.missingOps(for: VersionVector(), batchSize: 7)
            var sent: [EncodedOp] = []
            while let batch = try cursor.nextEncoded() {
                sent += try batch.map { stored in
                    try EncodedOp(canonical: stored.canonical, proof: stored.chain.map { OpProof(chain: $0, signature: stored.signature) })
                }
            }
            #expect(Set(sent) == Set(encoded))
        }
    }

    /// Everything a store shows about its ops.
    private struct Snapshot: Equatable {
        var counts: StoreCounts
        var vector: VersionVector
        var digest: String
        var log: [MissingOpsCursor.StoredOp]
        var rejected: [RejectedOp]
        var histories: [InitiativeID: [HistoryEntry]]
        var chainHeads: [NodeID: OriginChainState]
        var latestHead: HLCTimestamp

        init(_ store: KiemStore) throws {
            counts = try store.counts()
            vector = try store.versionVector()
            digest = try store.digest()
            var cursor = try store.missingOps(for: VersionVector(), batchSize: 5)
            log = []
            while let batch = try cursor.nextEncoded() { log += batch }
            rejected = try store.rejectedOps(limit: 10_000)
            histories = [:]
            for op in log {
                let id = try EncodedOp(canonical: op.canonical).op.initiative
                if histories[id] == nil { histories[id] = try store.initiative(id)?.history ?? [] }
            }
            chainHeads = try store.chainHeads()
            latestHead = try store.latestHeadTimestamp()
        }
    }

    /// Writes a store file migrated up to "v2-op-proof" holding what the
    /// reference holds.
    private static func writeOldLayout(at path: String, from reference: Reference) throws {
        try write(at: path, upTo: "v2-op-proof", from: reference, sql: """
            INSERT INTO main.op (origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature)
                SELECT origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature
                FROM source.op ORDER BY substr(canonical, -8), id;
            INSERT INTO main.held_op (rowid, origin, seq, waits_for)
                SELECT h.rowid, op.origin, op.seq, h.waits_for FROM source.held_op h JOIN source.op op ON op.id = h.op;
            INSERT INTO main.rejected_op (rowid, origin, seq, rule, reason)
                SELECT r.rowid, op.origin, op.seq, r.rule, r.reason FROM source.rejected_op r JOIN source.op op ON op.id = r.op;
            INSERT INTO main.initiative SELECT rowid, id, owner, phase, archived, contested, derived_from,
                created_hlc, last_changed_hlc, title, summary, x'' FROM source.initiative;
            """)
    }

    /// Writes a store file migrated up to "v5-portfolio" holding what the
    /// reference holds.
    private static func writeV5Layout(at path: String, from reference: Reference) throws {
        try write(at: path, upTo: "v5-portfolio", from: reference, sql: """
            INSERT INTO main.origin SELECT * FROM source.origin;
            INSERT INTO main.op SELECT * FROM source.op;
            INSERT INTO main.held_op (rowid, op, waits_for) SELECT rowid, op, waits_for FROM source.held_op;
            INSERT INTO main.rejected_op (rowid, op, rule, reason) SELECT rowid, op, rule, reason FROM source.rejected_op;
            INSERT INTO main.initiative (rowid, id, owner, phase, archived, contested, derived_from, created_hlc,
                    last_changed_hlc, title, summary, visible_state, portfolio)
                SELECT rowid, id, owner, phase, archived, contested, derived_from, created_hlc,
                    last_changed_hlc, title, summary, x'', portfolio FROM source.initiative;
            """)
    }

    /// Writes a store file migrated up to `migration`: `sql` copies the op
    /// log and the initiative rows from the attached reference (`source`);
    /// then the tables whose layout has not changed since v1 are copied, each
    /// row's visible state and search entry written.
    private static func write(at path: String, upTo migration: String, from reference: Reference, sql: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = 8192") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        try Migrations.migrator.migrate(queue, upTo: migration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [reference.path])
            try db.inTransaction {
                try db.execute(sql: sql)
                try db.execute(sql: """
                    INSERT INTO main.version_vector SELECT * FROM source.version_vector;
                    INSERT INTO main.initiative_theme SELECT * FROM source.initiative_theme;
                    INSERT INTO main.initiative_adoption SELECT * FROM source.initiative_adoption;
                    INSERT INTO main.node_certificate SELECT * FROM source.node_certificate;
                    """)
                for row in reference.rows {
                    try db.execute(
                        sql: "UPDATE main.initiative SET visible_state = ? WHERE rowid = ?",
                        arguments: [Data(row.visibleState), row.rowid])
                    try db.execute(
                        sql: "INSERT INTO main.initiative_fts (rowid, title, summary, description) VALUES (?, ?, ?, ?)",
                        arguments: [row.rowid, row.texts.title, row.texts.summary, row.texts.description])
                }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE source")
        }
    }
}
