import Foundation
import GRDB
public import KiemCore

extension KiemStore {
    /// Keeps `record` as the proof of its origin's equivocation. Returns
    /// false, and keeps the earlier one, if the origin already has one.
    @discardableResult
    public func recordEquivocation(_ record: EquivocationRecord) throws -> Bool {
        try perform { pool in
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO equivocation (origin, seq, previous_chain, detected_millis) VALUES (?, ?, ?, ?)
                        ON CONFLICT (origin) DO NOTHING
                        """,
                    arguments: [record.origin.rawValue, Int64(bitPattern: record.seq), Data(record.previousChain),
                                Int64(bitPattern: record.detectedMillis)])
                guard db.changesCount == 1 else { return false }
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
                return true
            }
        }
    }

    /// The origins with a stored proof of equivocation, without reading
    /// the proofs.
    public func equivocatingOrigins() throws -> Set<NodeID> {
        try perform { pool in
            try pool.read { db in
                Set(try String.fetchAll(db, sql: "SELECT origin FROM equivocation").map { try NodeID($0) })
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
