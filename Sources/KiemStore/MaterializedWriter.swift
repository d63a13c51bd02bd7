import Foundation
import GRDB
import KiemCore

/// Writes an initiative's materialized rows: `initiative` (with its
/// overview facts in `portfolio` and the hash of its visible state in
/// `visible_hash`, for the digest), its themes and adoptions, and its
/// full-text entry.
struct MaterializedWriter {
    private let db: Database
    private let insertInitiative: FastStatement
    private let updateInitiative: FastStatement
    private let deleteThemes: FastStatement
    private let insertTheme: FastStatement
    private let deleteAdoptions: FastStatement
    private let insertAdoption: FastStatement
    private let deleteSearch: FastStatement
    private let insertSearch: FastStatement

    init(_ db: Database) throws {
        self.db = db
        insertInitiative = try FastStatement(db, """
            INSERT INTO initiative (id, owner, phase, archived, contested, derived_from, created_hlc,
                last_changed_hlc, title, summary, visible_hash, portfolio)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        updateInitiative = try FastStatement(db, """
            UPDATE initiative SET phase = ?, archived = ?, contested = ?, last_changed_hlc = ?,
                title = ?, summary = ?, visible_hash = ?, portfolio = ?
            WHERE rowid = ?
            """)
        deleteThemes = try FastStatement(db, "DELETE FROM initiative_theme WHERE initiative_rowid = ?")
        insertTheme = try FastStatement(db, "INSERT INTO initiative_theme (initiative_rowid, theme) VALUES (?, ?)")
        deleteAdoptions = try FastStatement(db, "DELETE FROM initiative_adoption WHERE initiative_rowid = ?")
        insertAdoption = try FastStatement(db, """
            INSERT INTO initiative_adoption (initiative_rowid, organisation, status) VALUES (?, ?, ?)
            """)
        deleteSearch = try FastStatement(db, """
            INSERT INTO initiative_fts (initiative_fts, rowid, title, summary, description)
            VALUES ('delete', ?, ?, ?, ?)
            """)
        insertSearch = try FastStatement(db, """
            INSERT INTO initiative_fts (rowid, title, summary, description) VALUES (?, ?, ?, ?)
            """)
    }

    /// Writes `initiative`'s rows; `texts` are its search texts
    /// (`SearchTexts(initiative)`), `existing` its current row id and the
    /// texts its full-text entry holds, nil if it has no row yet. Returns
    /// its row id.
    func write(_ initiative: Initiative, texts: SearchTexts, existing: (rowid: Int64, texts: SearchTexts)?) throws -> Int64 {
        let phase = initiative.currentPhase.phase.description
        let lastChanged = Int64(bitPattern: initiative.lastChanged.rawValue)
        let rowid: Int64
        if let existing {
            rowid = existing.rowid
            try updateInitiative.bind(1, phase)
            try updateInitiative.bind(2, initiative.isArchived)
            try updateInitiative.bind(3, initiative.isContestedAnywhere)
            try updateInitiative.bind(4, lastChanged)
            try updateInitiative.bind(5, texts.title)
            try updateInitiative.bind(6, texts.summary)
            try updateInitiative.bind(7, initiative.visibleStateHash)
            try updateInitiative.bind(8, PortfolioEntry(initiative).canonicalBytes)
            try updateInitiative.bind(9, rowid)
            try updateInitiative.execute()
            try deleteThemes.bind(1, rowid)
            try deleteThemes.execute()
            try deleteAdoptions.bind(1, rowid)
            try deleteAdoptions.execute()
            if existing.texts != texts {
                try deleteSearch.bind(1, rowid)
                try deleteSearch.bind(2, existing.texts.title)
                try deleteSearch.bind(3, existing.texts.summary)
                try deleteSearch.bind(4, existing.texts.description)
                try deleteSearch.execute()
            }
        } else {
            try insertInitiative.bind(1, (initiative.id.timestamp.rawValue, initiative.id.nodeHash))
            try insertInitiative.bind(2, initiative.owner.rawValue)
            try insertInitiative.bind(3, phase)
            try insertInitiative.bind(4, initiative.isArchived)
            try insertInitiative.bind(5, initiative.isContestedAnywhere)
            if let parent = initiative.derivedFrom {
                try insertInitiative.bind(6, (parent.timestamp.rawValue, parent.nodeHash))
            } else {
                try insertInitiative.bindNull(6)
            }
            try insertInitiative.bind(7, Int64(bitPattern: initiative.createdAt.rawValue))
            try insertInitiative.bind(8, lastChanged)
            try insertInitiative.bind(9, texts.title)
            try insertInitiative.bind(10, texts.summary)
            try insertInitiative.bind(11, initiative.visibleStateHash)
            try insertInitiative.bind(12, PortfolioEntry(initiative).canonicalBytes)
            try insertInitiative.execute()
            rowid = db.lastInsertedRowID
        }
        if existing?.texts != texts {
            try insertSearch.bind(1, rowid)
            try insertSearch.bind(2, texts.title)
            try insertSearch.bind(3, texts.summary)
            try insertSearch.bind(4, texts.description)
            try insertSearch.execute()
        }
        for theme in initiative.themes.elements {
            try insertTheme.bind(1, rowid)
            try insertTheme.bind(2, theme)
            try insertTheme.execute()
        }
        // Each organisation's winning status (``Initiative/adoptionStatuses``,
        // without building the dictionary).
        for (organisation, register) in initiative.adoptions {
            guard let status = register.value?.status else { continue }
            try insertAdoption.bind(1, rowid)
            try insertAdoption.bind(2, organisation.rawValue)
            try insertAdoption.bind(3, status.description)
            try insertAdoption.execute()
        }
        return rowid
    }
}

extension Initiative {
    /// Whether any register (texts, phase, archive, adoption, endorsement,
    /// annotation) holds concurrent values.
    var isContestedAnywhere: Bool {
        TextField.allCases.contains { texts[$0].isContested } || phase.isContested || archived.isContested
            || adoptions.values.contains { $0.isContested } || endorsements.values.contains { $0.isContested }
            || annotations.values.contains { $0.isContested }
    }
}
