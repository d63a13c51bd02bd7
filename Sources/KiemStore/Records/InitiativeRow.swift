import Foundation
import GRDB
import KiemCore

/// A row of `initiative` as listings read it: the small columns, plus the
/// initiative's themes and adoptions from `initiative_theme` and
/// `initiative_adoption`, space-separated (themes and organisation ids never
/// contain spaces).
struct InitiativeRow: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "initiative"

    var id: Data
    var owner: String
    var title: String
    var summary: String
    var phase: String
    var archived: Bool
    var contested: Bool
    var derivedFrom: Data?
    var createdHLC: Int64
    var lastChangedHLC: Int64
    /// `theme theme …`
    var themes: String?
    /// `organisation:status organisation:status …`
    var adoptions: String?

    enum CodingKeys: String, CodingKey {
        case id, owner, title, summary, phase, archived, contested
        case derivedFrom = "derived_from"
        case createdHLC = "created_hlc"
        case lastChangedHLC = "last_changed_hlc"
        case themes, adoptions
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let owner = Column(CodingKeys.owner)
        static let title = Column(CodingKeys.title)
        static let summary = Column(CodingKeys.summary)
        static let phase = Column(CodingKeys.phase)
        static let archived = Column(CodingKeys.archived)
        static let contested = Column(CodingKeys.contested)
        static let derivedFrom = Column(CodingKeys.derivedFrom)
        static let createdHLC = Column(CodingKeys.createdHLC)
        static let lastChangedHLC = Column(CodingKeys.lastChangedHLC)
    }

    /// The selection listings use, for a table aliased `i`.
    static let selection: SQL = """
        i.id, i.owner, i.title, i.summary, i.phase, i.archived, i.contested, i.derived_from,
        i.created_hlc, i.last_changed_hlc,
        (SELECT group_concat(theme, ' ') FROM initiative_theme WHERE initiative_rowid = i.rowid) AS themes,
        (SELECT group_concat(organisation || ':' || status, ' ')
         FROM initiative_adoption WHERE initiative_rowid = i.rowid) AS adoptions
        """

    /// The public summary; throws if a column holds something the apply path
    /// never writes.
    func summary(path: String) throws -> InitiativeSummary {
        func corrupt(_ what: String) -> StoreError { .corrupt(path: path, reason: "initiative row has \(what)") }
        guard let initiativeID = InitiativeID(storeData: id) else { throw corrupt("a malformed id") }
        guard let parsedPhase = Phase(name: phase) else { throw corrupt("an unknown phase '\(phase)'") }
        var parent: InitiativeID?
        if let derivedFrom {
            guard let id = InitiativeID(storeData: derivedFrom) else { throw corrupt("a malformed derived_from") }
            parent = id
        }
        var adoptionStatuses: [OrganisationID: AdoptionStatus] = [:]
        for entry in (adoptions ?? "").split(separator: " ") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let status = AdoptionStatus(name: String(parts[1])) else {
                throw corrupt("a malformed adoption '\(entry)'")
            }
            adoptionStatuses[try OrganisationID(String(parts[0]))] = status
        }
        return InitiativeSummary(
            id: initiativeID, owner: try OrganisationID(owner), title: title, summary: summary, phase: parsedPhase,
            isArchived: archived, isContested: contested, derivedFrom: parent,
            createdAt: HLCTimestamp(rawValue: UInt64(bitPattern: createdHLC)),
            lastChanged: HLCTimestamp(rawValue: UInt64(bitPattern: lastChangedHLC)),
            themes: (themes ?? "").split(separator: " ").map(String.init).sorted(),
            adoptions: adoptionStatuses)
    }
}
