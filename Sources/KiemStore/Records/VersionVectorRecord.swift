import GRDB

/// A row of `version_vector`: the contiguous prefix held of one origin.
struct VersionVectorRecord: Codable, FetchableRecord, TableRecord {
    static let databaseTableName = "version_vector"

    var origin: String
    var seq: Int64

    enum Columns {
        static let origin = Column(CodingKeys.origin)
        static let seq = Column(CodingKeys.seq)
    }
}
