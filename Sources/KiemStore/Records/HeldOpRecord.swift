import GRDB
import KiemCore

/// A row of `held_op`: an op waiting for a creation or a named op.
struct HeldOpRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "held_op"

    var origin: String
    var seq: Int64
    /// A ``KiemCore/HoldKey`` in its store text form.
    var waitsFor: String

    enum CodingKeys: String, CodingKey {
        case origin, seq
        case waitsFor = "waits_for"
    }

    enum Columns {
        static let origin = Column(CodingKeys.origin)
        static let seq = Column(CodingKeys.seq)
        static let waitsFor = Column(CodingKeys.waitsFor)
    }
}

extension DerivableRequest<HeldOpRecord> {
    /// The held ops of one initiative.
    func filter(initiative id: InitiativeID) -> Self {
        filter(literal: "(origin, seq) IN (SELECT origin, seq FROM op WHERE initiative = \(id.storeData))")
    }
}
