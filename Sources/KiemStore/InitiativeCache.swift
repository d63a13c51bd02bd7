import KiemCore
import Synchronization

/// Initiatives as the last committed batch left them, so that a batch
/// touching an initiative a recent batch touched needs no replay of its ops.
///
/// Filled only after a commit (never by a batch that rolls back), so an entry
/// always equals the replay of the stored accepted ops. Bounded: when full,
/// the least recently used half is dropped.
final class InitiativeCache: Sendable {
    /// What the store knows about a materialized initiative.
    struct Entry: Sendable {
        var initiative: Initiative
        var rowid: Int64
        var texts: SearchTexts
    }

    private struct State {
        var entries: [InitiativeID: (entry: Entry, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    /// The most initiatives kept.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The cached entry, if any.
    func entry(_ id: InitiativeID) -> Entry? {
        state.withLock { state in
            guard let cached = state.entries[id] else { return nil }
            state.clock += 1
            state.entries[id]!.lastUse = state.clock
            return cached.entry
        }
    }

    /// Stores the entries a committed batch produced.
    func store(_ entries: [InitiativeID: Entry]) {
        guard capacity > 0 else { return }
        state.withLock { state in
            for (id, entry) in entries {
                state.clock += 1
                state.entries[id] = (entry, state.clock)
            }
            if state.entries.count > capacity {
                let keep = capacity / 2
                let survivors = state.entries.sorted { $0.value.lastUse > $1.value.lastUse }.prefix(keep)
                state.entries = Dictionary(uniqueKeysWithValues: survivors.map { ($0.key, $0.value) })
            }
        }
    }

    /// Forgets everything (after the tables were changed behind the apply path).
    func removeAll() {
        state.withLock { $0.entries.removeAll() }
    }
}

/// The texts the full-text index holds for an initiative.
struct SearchTexts: Equatable, Sendable {
    var title: String
    var summary: String
    var description: String

    init(title: String, summary: String, description: String) {
        self.title = title
        self.summary = summary
        self.description = description
    }

    init(_ initiative: Initiative) {
        self.init(title: initiative.title, summary: initiative.text(.summary), description: initiative.text(.description))
    }
}
