import Foundation
import GRDB
import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// Migrating a store written with the earlier op-log layout (keyed by an
/// automatic rowid with a unique (origin, seq) index, before "v3-op-rowid")
/// keeps every op with its bytes, status and proof, what is held and why ops
/// were rejected, in their order, and the store keeps working afterwards.
@Suite struct MigrationTests {
    @Test func migratingToRowidOpIDsKeepsEveryOp() throws {
        let scenario = RandomScenario(seed: 0x6B69_656D_000B, steps: 80)
        var rng = SeededGenerator(seed: 11)
        let delivery = Fixtures.interleaved(scenario.ops, using: &rng)
        let half = delivery.count / 2
        // Every op with a made-up proof (the store keeps proofs as given);
        // every third one signed.
        let encoded = delivery.enumerated().map { index, op in
            EncodedOp(op, proof: OpProof(
                chain: (0..<32).map { UInt8(truncatingIfNeeded: Int(op.id.seq) &* 31 &+ $0) },
                signature: index % 3 == 0 ? [UInt8](op.origin.rawValue.utf8) : nil))
        }

        try withTemporaryDirectory { directory in
            // The reference: the first half applied to a store of this build.
            let referencePath = directory.path("reference.sqlite")
            let reference = try KiemStore.open(path: referencePath)
            for batch in Fixtures.randomBatches(Array(encoded[..<half]), maximum: 9, using: &rng) {
                try reference.apply(batch)
            }
            let counts = try reference.counts()
            #expect(counts.held > 0 && counts.rejected > 0, "the history should hold and reject ops")
            let snapshot = try Snapshot(reference)
            let portfolio = Set(try reference.portfolio())
            var search: [(rowid: Int64, texts: SearchTexts)] = []
            for summary in try reference.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 10_000)) {
                let state = try #require(try reference.initiativeState(summary.id))
                let rowid = try #require(try reference.pool.read { db in
                    try Int64.fetchOne(db, sql: "SELECT rowid FROM initiative WHERE id = ?", arguments: [summary.id.storeData])
                })
                search.append((rowid, SearchTexts(state)))
            }
            try reference.close()

            // The same content in the layout before "v3-op-rowid", op rows in
            // an order unrelated to their ids.
            let oldPath = directory.storePath
            try Self.writeOldLayout(at: oldPath, from: referencePath, search: search)

            let migrated = try KiemStore.open(path: oldPath)
            defer { try? migrated.close() }
            try #require(try migrated.pool.read { db in try Migrations.migrator.appliedIdentifiers(db) }.contains("v3-op-rowid"))
            #expect(try Snapshot(migrated) == snapshot)
            // "v5-portfolio" filled in what the apply path writes.
            #expect(Set(try migrated.portfolio()) == portfolio)
            try migrated.checkSearchIndex()

            // It goes on applying: the rest of the history gives the replica's state.
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
    /// store at `source` holds.
    private static func writeOldLayout(
        at path: String, from source: String, search: [(rowid: Int64, texts: SearchTexts)]
    ) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = 8192") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        try Migrations.migrator.migrate(queue, upTo: "v2-op-proof")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS source", arguments: [source])
            try db.inTransaction {
                try db.execute(sql: """
                    INSERT INTO main.op (origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature)
                        SELECT origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature
                        FROM source.op ORDER BY substr(canonical, -8), id;
                    INSERT INTO main.held_op (rowid, origin, seq, waits_for)
                        SELECT h.rowid, op.origin, op.seq, h.waits_for FROM source.held_op h JOIN source.op op ON op.id = h.op;
                    INSERT INTO main.rejected_op (rowid, origin, seq, rule, reason)
                        SELECT r.rowid, op.origin, op.seq, r.rule, r.reason FROM source.rejected_op r JOIN source.op op ON op.id = r.op;
                    INSERT INTO main.version_vector SELECT * FROM source.version_vector;
                    INSERT INTO main.initiative SELECT rowid, id, owner, phase, archived, contested, derived_from,
                        created_hlc, last_changed_hlc, title, summary, visible_state FROM source.initiative;
                    INSERT INTO main.initiative_theme SELECT * FROM source.initiative_theme;
                    INSERT INTO main.initiative_adoption SELECT * FROM source.initiative_adoption;
                    INSERT INTO main.node_certificate SELECT * FROM source.node_certificate;
                    """)
                for entry in search {
                    try db.execute(
                        sql: "INSERT INTO main.initiative_fts (rowid, title, summary, description) VALUES (?, ?, ?, ?)",
                        arguments: [entry.rowid, entry.texts.title, entry.texts.summary, entry.texts.description])
                }
                return .commit
            }
            try db.execute(sql: "DETACH DATABASE source")
        }
    }
}
