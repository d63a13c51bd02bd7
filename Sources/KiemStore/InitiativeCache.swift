import KiemCore
import Synchronization

/// Initiatives as the last committed batch left them, so that a batch
/// touching an initiative a recent batch touched needs no replay of its ops.
///
/// Filled only after a commit (never by a batch that rolls back), so an entry
/// always equals the replay of the stored accepted ops. Bounded with two
/// generations: when the current one is full it becomes the previous one and
/// the old previous one is dropped, so at most `capacity` entries are kept
/// and nothing is ever sorted.
final class InitiativeCache: Sendable {
    /// What the store knows about a materialized initiative.
    struct Entry: Sendable {
        var initiative: Initiative
        var rowid: Int64
        var texts: SearchTexts
    }

    private struct Generations {
        var current: [InitiativeID: Entry] = [:]
        var previous: [InitiativeID: Entry] = [:]
    }

    /// The most initiatives kept.
    let capacity: Int
    private let state = Mutex(Generations())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The cached entry, if any.
    func entry(_ id: InitiativeID) -> Entry? {
        state.withLock { $0.current[id] ?? $0.previous[id] }
    }

    /// Stores the entries a committed batch produced (each id once).
    func store(_ entries: [(InitiativeID, Entry)]) {
        let generationSize = capacity / 2
        guard generationSize > 0 else { return }
        // Dropped generations are freed after the lock is released.
        var retired: [[InitiativeID: Entry]] = []
        state.withLock { state in
            for (id, entry) in entries {
                state.current[id] = entry
                if state.current.count >= generationSize {
                    retired.append(state.previous)
                    state.previous = state.current
                    // Sized once, instead of rehashing at every doubling.
                    state.current = Dictionary(minimumCapacity: generationSize)
                }
            }
        }
        retired.removeAll()
    }

    /// Forgets everything (after the tables were changed behind the apply path).
    func removeAll() {
        state.withLock { $0 = Generations() }
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
