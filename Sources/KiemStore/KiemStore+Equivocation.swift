import Foundation
import GRDB
import Synchronization
public import KiemCore

extension KiemStore {
    /// Keeps `record` as the proof of its origin's equivocation and
    /// quarantines the origin from the proof's seq on (WIRE.md section 13,
    /// "Equivocation"): every op of it from that seq is removed, the version
    /// vector steps back to the seq before, and every op the store holds is
    /// decided again, so that what was built on the removed ops (edits of an
    /// initiative they created, say) is held again. The result is what a
    /// replica that never saw either side would hold, whichever side this
    /// one saw: so every replica that holds the proof converges.
    ///
    /// One proof is kept per origin: the one with the lowest seq, so that
    /// every replica quarantines from the same point whichever proof reached
    /// it first. All in one transaction. The caller checks the proof.
    /// - Returns: false, changing nothing, if the store keeps a proof for the
    ///   origin at the same or a lower seq.
    @discardableResult
    public func quarantine(_ record: EquivocationRecord) throws -> Bool {
        try perform { pool in
            try writeLock.withLock { _ in
                defer {
                    initiativeCache.removeAll()
                    heldKeyIndex.removeAll()
                    portfolioCache.removeAll()
                }
                return try pool.write { db in
                    if let kept = try Int64.fetchOne(
                        db, sql: "SELECT seq FROM equivocation WHERE origin = ?", arguments: [record.origin.rawValue]) {
                        guard UInt64(bitPattern: kept) > record.seq else { return false }
                        try db.execute(sql: "DELETE FROM equivocation_op WHERE origin = ?", arguments: [record.origin.rawValue])
                        try db.execute(sql: "DELETE FROM equivocation WHERE origin = ?", arguments: [record.origin.rawValue])
                    }
                    try Self.insert(record, into: db)
                    if try Self.truncate(record.origin, from: record.seq, in: db) {
                        initiativeCache.removeAll()
                        try rematerialize(db, revocations: revocationCutoffs.withLock { $0 })
                        try db.notifyChanges(in: DatabaseRegion.fullDatabase)
                    }
                    return true
                }
            }
        }
    }

    private static func insert(_ record: EquivocationRecord, into db: Database) throws {
        try db.execute(
            sql: "INSERT INTO equivocation (origin, seq, previous_chain, detected_millis) VALUES (?, ?, ?, ?)",
            arguments: [record.origin.rawValue, Int64(bitPattern: record.seq), Data(record.previousChain),
                        Int64(bitPattern: record.detectedMillis)])
        let insert = try db.makeStatement(sql: """
            INSERT INTO equivocation_op (origin, side, position, canonical, chain, signature) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for (side, run) in [(1, record.held), (2, record.offered)] {
            for (position, encoded) in run.enumerated() {
                try insert.execute(arguments: [
                    record.origin.rawValue, side, position, Data(encoded.canonical),
                    encoded.proof.map { Data($0.chain) }, encoded.proof?.signature.map { Data($0) },
                ])
            }
        }
    }

    /// Removes `origin`'s ops from `seq` on and steps its vector entry back.
    /// - Returns: whether there were any.
    private static func truncate(_ origin: NodeID, from seq: UInt64, in db: Database) throws -> Bool {
        guard let held = try Int64.fetchOne(
                  db, sql: "SELECT seq FROM version_vector WHERE origin = ?", arguments: [origin.rawValue]),
              UInt64(bitPattern: held) >= seq,
              let number = try Int64.fetchOne(db, sql: "SELECT number FROM origin WHERE node = ?", arguments: [origin.rawValue])
        else { return false }
        let ids: StatementArguments = [Migrations.opID(originNumber: number, seq: seq),
                                       Migrations.opID(originNumber: number, seq: Migrations.maxSeq)]
        try db.execute(sql: "DELETE FROM held_op WHERE op BETWEEN ? AND ?", arguments: ids)
        try db.execute(sql: "DELETE FROM rejected_op WHERE op BETWEEN ? AND ?", arguments: ids)
        try db.execute(sql: "DELETE FROM op WHERE id BETWEEN ? AND ?", arguments: ids)
        if seq > 1 {
            try db.execute(sql: "UPDATE version_vector SET seq = ? WHERE origin = ?",
                           arguments: [Int64(bitPattern: seq - 1), origin.rawValue])
        } else {
            try db.execute(sql: "DELETE FROM version_vector WHERE origin = ?", arguments: [origin.rawValue])
        }
        return true
    }

    /// Empties the materialized tables, held and rejected ops, and decides
    /// every stored op again, in id order, ``replayBatchSize`` at a time,
    /// under `revocations`.
    func rematerialize(_ db: Database, revocations: RevocationCutoffs) throws {
        try db.execute(sql: """
            DELETE FROM held_op;
            DELETE FROM rejected_op;
            DELETE FROM initiative_theme;
            DELETE FROM initiative_adoption;
            DELETE FROM initiative;
            INSERT INTO initiative_fts (initiative_fts) VALUES ('delete-all');
            """)
        let read = try db.makeStatement(sql: "SELECT id, canonical FROM op WHERE id > ? ORDER BY id LIMIT ?")
        var replayed: [NodeID: UInt64] = [:]
        var after: Int64 = 0
        while true {
            var ops: [Op] = []
            let rows = try Row.fetchCursor(read, arguments: [after, Self.replayBatchSize])
            while let row = try rows.next() {
                after = row[0]
                ops.append(try Op(canonicalBytes: [UInt8](row[1] as Data)))
            }
            guard !ops.isEmpty else { return }
            var context = try StoreApplyContext(
                replayingAfter: replayed, db: db, path: path, cache: initiativeCache, revocations: revocations)
            _ = try OpApplier.apply(ops, to: &context)
            replayed = context.replayed
            _ = try context.finish()
        }
    }

    /// How many ops a replay decides per batch.
    static let replayBatchSize = 5_000

    /// Where each quarantined origin's log ends: the seq before its proof's
    /// and the chain hash after it, which both signed runs of the proof
    /// continue (so the proof vouches for it as a signature would).
    public func quarantinedOrigins() throws -> [NodeID: OriginChainState] {
        try perform { pool in
            try pool.read { db in
                var anchors: [NodeID: OriginChainState] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT origin, seq, previous_chain FROM equivocation") {
                    anchors[try NodeID(row[0] as String)] = OriginChainState(
                        seq: UInt64(bitPattern: row[1] as Int64) - 1, chain: [UInt8](row[2] as Data))
                }
                return anchors
            }
        }
    }

    /// Every origin's proof of equivocation, by origin.
    public func equivocations() throws -> [EquivocationRecord] {
        try perform { pool in
            try pool.read { db in
                let runs = try Row.fetchAll(db, sql: """
                    SELECT origin, side, canonical, chain, signature FROM equivocation_op ORDER BY origin, side, position
                    """)
                var ops: [String: [Int: [EncodedOp]]] = [:]
                for row in runs {
                    let encoded = try EncodedOp(
                        canonical: [UInt8](row[2] as Data),
                        proof: OpProof(chain: [UInt8](row[3] as Data), signature: (row[4] as Data?).map { [UInt8]($0) }))
                    ops[row[0], default: [:]][row[1], default: []].append(encoded)
                }
                return try Row.fetchAll(db, sql: "SELECT origin, seq, previous_chain, detected_millis FROM equivocation ORDER BY origin")
                    .map { row in
                        let origin: String = row[0]
                        return EquivocationRecord(
                            origin: try NodeID(origin), seq: UInt64(bitPattern: row[1] as Int64),
                            previousChain: [UInt8](row[2] as Data), held: ops[origin]?[1] ?? [], offered: ops[origin]?[2] ?? [],
                            detectedMillis: UInt64(bitPattern: row[3] as Int64))
                    }
            }
        }
    }

    /// `origin`'s stored ops from `seq` up to and including the first one
    /// stored with a signature, with their proofs: the signed run a proof of
    /// equivocation shows. At most `limit` ops; empty if the store holds
    /// none from `seq`.
    public func signedRun(of origin: NodeID, from seq: UInt64, limit: Int = 10_000) throws -> [EncodedOp] {
        try perform { pool in
            try pool.read { db in
                var run: [EncodedOp] = []
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT op.canonical, op.chain, op.signature FROM origin o
                    JOIN op ON op.id BETWEEN (o.number << 40) | ? AND (o.number << 40) | ?
                    WHERE o.node = ? ORDER BY op.id
                    """, arguments: [Int64(bitPattern: seq), Int64(bitPattern: Migrations.maxSeq), origin.rawValue])
                while run.count < limit, let row = try rows.next() {
                    let signature = (row[2] as Data?).map { [UInt8]($0) }
                    run.append(try EncodedOp(
                        canonical: [UInt8](row[0] as Data),
                        proof: (row[1] as Data?).map { OpProof(chain: [UInt8]($0), signature: signature) }))
                    if signature != nil { break }
                }
                return run
            }
        }
    }
}
