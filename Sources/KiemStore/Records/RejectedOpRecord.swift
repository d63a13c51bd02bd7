import GRDB
import KiemCore

/// A row of `rejected_op` with its op's origin and seq: the rule an op broke
/// and the message.
struct RejectedOpRecord: Decodable, FetchableRecord {
    var origin: String
    var seq: Int64
    /// A ``KiemCore/Rejection/Rule`` raw value.
    var rule: String
    var reason: String

    /// The rejected ops of one initiative, in the order they were rejected.
    static func fetchAll(_ db: Database, initiative id: InitiativeID) throws -> [RejectedOpRecord] {
        try fetchAll(db, sql: """
            SELECT op.origin, op.seq, rejected_op.rule, rejected_op.reason FROM rejected_op JOIN op ON op.id = rejected_op.op
            WHERE op.initiative = ? ORDER BY rejected_op.rowid
            """, arguments: [id.storeData])
    }
}
