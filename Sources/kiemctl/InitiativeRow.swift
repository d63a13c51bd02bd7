import Foundation
import KiemProtocol

/// One initiative in a listing (`initiative list`, `search`).
struct InitiativeRow: Encodable, Equatable {
    var id: String
    var title: String
    var owner: String
    var phase: String
    var themes: [String]
    /// Organisations exploring, piloting or having adopted it.
    var adoptedBy: [String]
    var endorsements: UInt32
    var archived: Bool
    var updated: Date?
    var lastProgress: Date?

    init(_ summary: Kiem_V1_InitiativeSummary) {
        id = summary.id
        title = summary.title
        owner = summary.owner
        phase = summary.phase.name
        themes = summary.themes
        adoptedBy = summary.adoptedBy
        endorsements = summary.endorsementCount
        archived = summary.archived
        updated = Display.date(hlc: summary.updatedHlc)
        lastProgress = Display.date(hlc: summary.lastProgressHlc)
    }
}

/// What `initiative list` and `search` print.
struct InitiativeList: CommandOutput {
    var initiatives: [InitiativeRow]
    var count: Int

    init(_ response: Kiem_V1_QueryInitiativesResponse) {
        initiatives = response.initiatives.map(InitiativeRow.init)
        count = initiatives.count
    }

    var text: String {
        guard !initiatives.isEmpty else { return "no initiatives match" }
        let columns: [Table.Column] = ["ID", "TITLE", "OWNER", "PHASE", "THEMES", "ADOPTED BY", "UPDATED"]
        return Table(columns, rows: initiatives.map { row in
            [row.id, row.title + (row.archived ? " (archived)" : ""), row.owner, row.phase, Display.list(row.themes),
             Display.list(row.adoptedBy), Display.cell(row.updated)]
        }).rendered
    }
}
