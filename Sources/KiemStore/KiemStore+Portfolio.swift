import Foundation
public import KiemCore
import GRDB

extension KiemStore {
    /// Every materialized initiative's overview facts (archived ones too; the
    /// overview leaves them out), without rebuilding the initiatives.
    ///
    /// The first call reads the `portfolio` column in one scan and keeps the
    /// entries in memory (``PortfolioCache``); later calls re-read only the
    /// initiatives changed since, so they cost about nothing when little
    /// changed.
    /// - Throws: `StoreError.corrupt` for a row the apply path never writes.
    public func portfolio() throws -> [PortfolioEntry] {
        try portfolioCache.entries(readAll: readPortfolio, read: readPortfolio(of:))
    }

    private func readPortfolio() throws -> [PortfolioEntry] {
        try perform { pool in
            try pool.read { db in
                var entries: [PortfolioEntry] = []
                let rows = try Row.fetchCursor(db, sql: "SELECT portfolio FROM initiative")
                while let row = try rows.next() {
                    entries.append(try portfolioEntry(row[0]))
                }
                return entries
            }
        }
    }

    private func readPortfolio(of ids: Set<InitiativeID>) throws -> [PortfolioEntry] {
        try perform { pool in
            try pool.read { db in
                let statement = try db.cachedStatement(sql: "SELECT portfolio FROM initiative WHERE id = ?")
                return try ids.compactMap { id in
                    try Row.fetchOne(statement, arguments: [id.storeData]).map { try portfolioEntry($0[0]) }
                }
            }
        }
    }

    private func portfolioEntry(_ data: Data?) throws -> PortfolioEntry {
        guard let data else { throw StoreError.corrupt(path: path, reason: "an initiative row has no portfolio entry") }
        do {
            return try PortfolioEntry(canonicalBytes: [UInt8](data))
        } catch {
            throw StoreError.corrupt(path: path, reason: "an initiative's portfolio entry cannot be read: \(error)")
        }
    }
}
