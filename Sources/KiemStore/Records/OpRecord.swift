import Foundation
import GRDB
import KiemCore

/// A row of `op`: one op as received, with the store's decision.
struct OpRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "op"

    var origin: String
    var seq: Int64
    var hlc: Int64
    var initiative: Data
    var author: String
    var kind: String
    var status: Int64
    var canonical: Data

    enum Columns {
        static let origin = Column(CodingKeys.origin)
        static let seq = Column(CodingKeys.seq)
        static let hlc = Column(CodingKeys.hlc)
        static let initiative = Column(CodingKeys.initiative)
        static let author = Column(CodingKeys.author)
        static let kind = Column(CodingKeys.kind)
        static let status = Column(CodingKeys.status)
        static let canonical = Column(CodingKeys.canonical)
    }

    /// The op, decoded strictly from its canonical bytes.
    func decodedOp() throws -> Op {
        try Op(canonicalBytes: [UInt8](canonical))
    }

    /// The decision recorded for the op.
    var decision: StoredOpStatus? { StoredOpStatus(rawValue: status) }
}

extension DerivableRequest<OpRecord> {
    /// The ops of one initiative.
    func filter(initiative id: InitiativeID) -> Self {
        filter { $0.initiative == id.storeData }
    }

    /// Oldest first: by HLC, then op id.
    func orderedByHLC() -> Self {
        order { [$0.hlc, $0.origin, $0.seq] }
    }
}
