import KiemCore
import Synchronization

/// Every initiative's ``KiemCore/PortfolioEntry`` in memory, so that an
/// overview of 100,000 initiatives does not read and decode the whole
/// `portfolio` column each time.
///
/// Filled on first use (an overview or the dashboard; a node never asked
/// for either keeps nothing). After that
/// every committed batch marks the initiatives it changed as stale, and the
/// next read re-reads only those rows; when more than an eighth are stale,
/// one scan of the column is cheaper than as many lookups, and it reloads.
/// Marking happens after the commit and reading under the same lock, so a
/// read never misses a committed change: a batch that commits while a read
/// is running is marked when the read is done, and taken the next time.
final class PortfolioCache: Sendable {
    private struct Entries {
        var loaded = false
        var list: [PortfolioEntry] = []
        var positions: [InitiativeID: Int] = [:]
        var stale: Set<InitiativeID> = []
    }

    private let state = Mutex(Entries())

    /// Notes the initiatives a committed batch changed (its accepted ops'
    /// initiatives), if the entries are loaded.
    func markChanged(by outcome: ApplyOutcome) {
        state.withLock { entries in
            if entries.loaded { entries.stale.formUnion(outcome.accepted.lazy.map(\.initiative)) }
        }
    }

    /// Forgets everything, for writes that bypass the apply path.
    func removeAll() {
        state.withLock { $0 = Entries() }
    }

    /// The current entries, in no particular order.
    /// - Parameters:
    ///   - readAll: reads every entry from the store.
    ///   - read: reads the entries of some initiatives from the store.
    func entries(
        readAll: () throws -> [PortfolioEntry], read: (Set<InitiativeID>) throws -> [PortfolioEntry]
    ) throws -> [PortfolioEntry] {
        try state.withLock { entries in
            if !entries.loaded || entries.stale.count > entries.list.count / 8 {
                let list = try readAll()
                entries = Entries(
                    loaded: true, list: list,
                    positions: Dictionary(list.enumerated().map { ($1.id, $0) }) { first, _ in first })
            } else if !entries.stale.isEmpty {
                for entry in try read(entries.stale) {
                    if let position = entries.positions[entry.id] {
                        entries.list[position] = entry
                    } else {
                        entries.positions[entry.id] = entries.list.count
                        entries.list.append(entry)
                    }
                }
                entries.stale = []
            }
            return entries.list
        }
    }
}
