import GRDB
import KiemCore

/// A row of `rejected_op`: the rule an op broke and the message.
struct RejectedOpRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "rejected_op"

    var origin: String
    var seq: Int64
    /// A ``KiemCore/Rejection/Rule`` raw value.
    var rule: String
    var reason: String

    enum Columns {
        static let origin = Column(CodingKeys.origin)
        static let seq = Column(CodingKeys.seq)
        static let rule = Column(CodingKeys.rule)
        static let reason = Column(CodingKeys.reason)
    }
}

extension DerivableRequest<RejectedOpRecord> {
    /// The rejected ops of one initiative.
    func filter(initiative id: InitiativeID) -> Self {
        filter(literal: "(origin, seq) IN (SELECT origin, seq FROM op WHERE initiative = \(id.storeData))")
    }
}
