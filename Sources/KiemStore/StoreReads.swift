import Foundation
import GRDB
import KiemCore

/// Reads shared by the apply path and the public queries.
enum StoreReads {
    /// Rebuilds an initiative from its accepted ops: the create, then the
    /// rest in any order (the CRDT merge is order-independent). Nil if its
    /// create has not been accepted.
    static func replayInitiative(_ id: InitiativeID, in db: Database) throws -> Initiative? {
        let statement = try db.cachedStatement(sql: "SELECT canonical FROM op WHERE initiative = ? AND status = ?")
        var creation: Op?
        var others: [Op] = []
        let rows = try Data.fetchCursor(statement, arguments: [id.storeData, StoredOpStatus.accepted.rawValue])
        while let data = try rows.next() {
            let op = try Op(canonicalBytes: [UInt8](data))
            if case .create = op.mutation, creation == nil {
                creation = op
            } else {
                others.append(op)
            }
        }
        guard let creation, var initiative = Initiative(creation: creation) else { return nil }
        for op in others { initiative.apply(op) }
        return initiative
    }

    /// How many initiatives and ops the store holds.
    static func counts(in db: Database) throws -> StoreCounts {
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM initiative), (SELECT count(*) FROM op),
                   (SELECT count(*) FROM held_op), (SELECT count(*) FROM rejected_op)
            """)!
        return StoreCounts(initiatives: row[0], ops: row[1], held: row[2], rejected: row[3])
    }

    /// The stored version vector.
    static func versionVector(in db: Database) throws -> VersionVector {
        var entries: [NodeID: UInt64] = [:]
        for record in try VersionVectorRecord.fetchAll(db) {
            entries[try NodeID(record.origin)] = UInt64(bitPattern: record.seq)
        }
        return VersionVector(entries)
    }
}
