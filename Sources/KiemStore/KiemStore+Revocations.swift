import Foundation
import GRDB
import Synchronization
public import KiemCore

extension KiemStore {
    /// The revocations the store holds, oldest received first.
    public func revocations() throws -> [StoredRevocation] {
        try perform { pool in
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, organisation, node, revoked_hlc, signed, received_millis FROM revocation
                    ORDER BY received_millis, id
                    """).map { row in
                    StoredRevocation(
                        id: [UInt8](row[0] as Data), organisation: try OrganisationID(row[1] as String),
                        node: try (row[2] as String?).map(NodeID.init), revokedAt: HLCTimestamp(rawValue: UInt64(bitPattern: row[3])),
                        signed: [UInt8](row[4] as Data), receivedMillis: UInt64(bitPattern: row[5]))
                }
            }
        }
    }

    /// Stores a revocation (checked by the caller) and decides again what it
    /// changes: when the store holds ops of the revoked identity written at
    /// or after its time that were accepted or held, every stored op is
    /// decided again (as ``quarantine(_:)`` does), so those are rejected and
    /// what was built on them is held or rejected in turn, as on a replica
    /// that had the revocation first. All in one transaction.
    /// - Returns: how many stored ops the revocation rejected; nil, changing
    ///   nothing, if the store holds it already.
    @discardableResult
    public func addRevocation(_ revocation: StoredRevocation) throws -> Int? {
        try perform { pool in
            try writeLock.withLock { _ in
                var cutoffs = revocationCutoffs.withLock { $0 }
                cutoffs.revoke(organisation: revocation.organisation, node: revocation.node, from: revocation.revokedAt)
                let rejected: Int? = try pool.write { db in
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO revocation (id, organisation, node, revoked_hlc, signed, received_millis)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [Data(revocation.id), revocation.organisation.rawValue, revocation.node?.rawValue,
                                         Int64(bitPattern: revocation.revokedAt.rawValue), Data(revocation.signed),
                                         Int64(bitPattern: revocation.receivedMillis)])
                    guard db.changesCount > 0 else { return nil }
                    let (column, value) = revocation.node.map { ("origin", $0.rawValue) }
                        ?? ("author", revocation.organisation.rawValue)
                    let affected = try Int.fetchOne(db, sql: """
                        SELECT count(*) FROM op WHERE \(column) = ? AND hlc >= ? AND status != ?
                        """, arguments: [value, Int64(bitPattern: revocation.revokedAt.rawValue), StoredOpStatus.rejected.rawValue]) ?? 0
                    if affected > 0 {
                        initiativeCache.removeAll()
                        try rematerialize(db, revocations: cutoffs)
                        try db.notifyChanges(in: DatabaseRegion.fullDatabase)
                    }
                    return affected
                }
                if rejected != nil {
                    revocationCutoffs.withLock { $0 = cutoffs }
                    initiativeCache.removeAll()
                    heldKeyIndex.removeAll()
                    portfolioCache.removeAll()
                }
                return rejected
            }
        }
    }

    /// The revocations in the store, as the rules read them.
    static func revocationCutoffs(_ db: Database) throws -> RevocationCutoffs {
        var cutoffs = RevocationCutoffs()
        for row in try Row.fetchAll(db, sql: "SELECT organisation, node, revoked_hlc FROM revocation") {
            cutoffs.revoke(organisation: try OrganisationID(row[0] as String), node: try (row[1] as String?).map(NodeID.init),
                           from: HLCTimestamp(rawValue: UInt64(bitPattern: row[2])))
        }
        return cutoffs
    }
}
