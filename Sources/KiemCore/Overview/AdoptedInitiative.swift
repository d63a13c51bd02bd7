/// An initiative that other organisations are taking up.
public struct AdoptedInitiative: Hashable, Sendable {
    /// The initiative.
    public let entry: PortfolioEntry
    /// The organisations other than the owner that explore, pilot or adopted
    /// it, with their status; dropped adoptions are left out.
    public let adopters: [OrganisationID: AdoptionStatus]

    /// The entry's active adoptions by other organisations; nil if it has none.
    init?(_ entry: PortfolioEntry) {
        let adopters = entry.adoptions.filter { $0.value.isActive && $0.key != entry.owner }
        guard !adopters.isEmpty else { return nil }
        self.entry = entry
        self.adopters = adopters
    }

    /// The adopters with `status`.
    public func count(_ status: AdoptionStatus) -> Int {
        adopters.values.count { $0 == status }
    }

    /// The organisations piloting it or that adopted it: what counts as
    /// spread.
    public var takenUp: Int { count(.piloting) + count(.adopted) }

    /// Whether two or more other organisations pilot or adopted it.
    public var isSpread: Bool { takenUp >= 2 }

    /// The initiatives of `entries` with an active adoption, most adopters
    /// first, then most taken up, ties by id.
    static func all(in entries: [PortfolioEntry]) -> [AdoptedInitiative] {
        entries.compactMap(AdoptedInitiative.init).sorted {
            ($1.adopters.count, $1.takenUp, $0.entry.id) < ($0.adopters.count, $0.takenUp, $1.entry.id)
        }
    }

    /// The spread ones of `adopted`: most taken up first, then most adopters,
    /// ties by id.
    static func spread(of adopted: [AdoptedInitiative]) -> [AdoptedInitiative] {
        adopted.filter(\.isSpread).sorted {
            ($1.takenUp, $1.adopters.count, $0.entry.id) < ($0.takenUp, $0.adopters.count, $1.entry.id)
        }
    }
}
