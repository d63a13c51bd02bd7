import GRDB
import KiemCore

/// A row of `held_op` with its op's origin and seq: an op waiting for a
/// creation or a named op.
struct HeldOpRecord: Decodable, FetchableRecord {
    var origin: String
    var seq: Int64
    /// A ``KiemCore/HoldKey`` in its store text form.
    var waitsFor: String

    enum CodingKeys: String, CodingKey {
        case origin, seq
        case waitsFor = "waits_for"
    }

    /// The held ops of one initiative, in the order they were held.
    static func fetchAll(_ db: Database, initiative id: InitiativeID) throws -> [HeldOpRecord] {
        try fetchAll(db, sql: """
            SELECT op.origin, op.seq, held_op.waits_for FROM held_op JOIN op ON op.id = held_op.op
            WHERE op.initiative = ? ORDER BY held_op.rowid
            """, arguments: [id.storeData])
    }
}
