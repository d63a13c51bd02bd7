/// An initiative that other organisations are taking up.
///
/// Only adoptions by organisations other than the owner count (the rules
/// refuse an organisation's adoption of its own initiative), and dropped ones
/// do not.
public struct AdoptedInitiative: Hashable, Sendable {
    /// The initiative.
    public let entry: PortfolioEntry
    /// The organisations exploring it.
    public let exploring: Int
    /// The organisations piloting it.
    public let piloting: Int
    /// The organisations that adopted it.
    public let adopted: Int

    /// The entry's adoptions; nil if no other organisation explores, pilots or
    /// adopted it.
    init?(_ entry: PortfolioEntry) {
        var (exploring, piloting, adopted) = (0, 0, 0)
        for (organisation, status) in entry.adoptions where organisation != entry.owner {
            switch status {
            case .exploring: exploring += 1
            case .piloting: piloting += 1
            case .adopted: adopted += 1
            case .dropped: break
            }
        }
        guard exploring + piloting + adopted > 0 else { return nil }
        self.entry = entry
        self.exploring = exploring
        self.piloting = piloting
        self.adopted = adopted
    }

    /// The organisations exploring, piloting or that adopted it, with their
    /// status.
    public var adopters: [OrganisationID: AdoptionStatus] {
        entry.adoptions.filter { $0.value.isActive && $0.key != entry.owner }
    }

    /// How many organisations explore, pilot or adopted it.
    public var active: Int { exploring + piloting + adopted }

    /// How many organisations pilot it or adopted it: what counts as spread.
    public var takenUp: Int { piloting + adopted }

    /// Whether two or more other organisations pilot or adopted it.
    public var isSpread: Bool { takenUp >= 2 }

    /// The adopted initiatives, found entry by entry.
    struct Tally {
        private var adopted: [AdoptedInitiative] = []

        mutating func add(_ entry: PortfolioEntry) {
            if let initiative = AdoptedInitiative(entry) { adopted.append(initiative) }
        }

        /// Every one, most adopters first, then most taken up; and the spread
        /// ones, most taken up first, then most adopters; ties by id.
        consuming func result() -> (all: [AdoptedInitiative], spread: [AdoptedInitiative]) {
            let all = adopted.sorted(byKey: { (active: $0.active, takenUp: $0.takenUp, id: $0.entry.id) }) {
                ($1.active, $1.takenUp, $0.id) < ($0.active, $0.takenUp, $1.id)
            }
            let spread = all.filter(\.isSpread)
                .sorted(byKey: { (takenUp: $0.takenUp, active: $0.active, id: $0.entry.id) }) {
                    ($1.takenUp, $1.active, $0.id) < ($0.takenUp, $0.active, $1.id)
                }
            return (all, spread)
        }
    }
}
