public import KiemCore

/// Which initiatives ``KiemStore/initiatives(matching:)`` lists. Every filter
/// that is set must hold; unset filters match everything.
public struct InitiativeQuery: Hashable, Sendable {
    /// Only initiatives whose winning phase is this one.
    public var phase: Phase?
    /// Only initiatives with this theme (e.g. `mpc`).
    public var theme: String?
    /// Only initiatives owned by this organisation.
    public var owner: OrganisationID?
    /// Only initiatives this organisation is exploring, piloting or has
    /// adopted (its winning adoption status is active).
    public var adoptedBy: OrganisationID?
    /// Only initiatives derived from this one (its lineage the other way).
    public var derivedFrom: InitiativeID?
    /// Full-text search over title, summary and description. Words are
    /// matched as prefixes, case- and diacritic-insensitively, and all must
    /// occur. Any text is safe: quotes and operators such as `AND` are
    /// taken as words, never as query syntax.
    public var text: String?
    /// Whether archived initiatives are listed too.
    public var includeArchived: Bool
    /// The most initiatives returned.
    public var limit: Int

    /// Creates a query. With `text`, results come by relevance; otherwise
    /// newest first (by id, which orders by creation time).
    public init(
        phase: Phase? = nil, theme: String? = nil, owner: OrganisationID? = nil,
        adoptedBy: OrganisationID? = nil, derivedFrom: InitiativeID? = nil, text: String? = nil,
        includeArchived: Bool = false, limit: Int = 100
    ) {
        self.phase = phase
        self.theme = theme
        self.owner = owner
        self.adoptedBy = adoptedBy
        self.derivedFrom = derivedFrom
        self.text = text
        self.includeArchived = includeArchived
        self.limit = limit
    }
}
