import Foundation
public import KiemCore
import GRDB

extension KiemStore {
    /// Every materialized initiative's overview facts (archived ones too; the
    /// overview leaves them out), read from the `portfolio` column in one
    /// scan, without rebuilding the initiatives.
    /// - Throws: `StoreError.corrupt` for a row the apply path never writes.
    public func portfolio() throws -> [PortfolioEntry] {
        try perform { pool in
            try pool.read { db in
                var entries: [PortfolioEntry] = []
                let rows = try Row.fetchCursor(db, sql: "SELECT portfolio FROM initiative")
                while let row = try rows.next() {
                    guard let data = row[0] as Data? else {
                        throw StoreError.corrupt(path: path, reason: "an initiative row has no portfolio entry")
                    }
                    do {
                        entries.append(try PortfolioEntry(canonicalBytes: [UInt8](data)))
                    } catch {
                        throw StoreError.corrupt(path: path, reason: "an initiative's portfolio entry cannot be read: \(error)")
                    }
                }
                return entries
            }
        }
    }
}
