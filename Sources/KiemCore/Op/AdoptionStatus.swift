/// How far another organisation has taken up an initiative.
public enum AdoptionStatus: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case exploring = 1, piloting, adopted, dropped

    /// Parses the lowercase name, e.g. `piloting`.
    public init?(name: String) {
        guard let status = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = status
    }

    /// Whether an organisation with this status counts as an adopter (may log
    /// progress on the initiative).
    public var isActive: Bool { self != .dropped }

    public var description: String {
        switch self {
        case .exploring: "exploring"
        case .piloting: "piloting"
        case .adopted: "adopted"
        case .dropped: "dropped"
        }
    }
}

/// One organisation's adoption entry on an initiative.
public struct Adoption: Hashable, Sendable {
    /// The status.
    public var status: AdoptionStatus
    /// A free-text note, e.g. where it is piloted.
    public var note: String

    /// Creates an adoption entry.
    public init(status: AdoptionStatus, note: String = "") {
        self.status = status
        self.note = note
    }
}

/// One organisation's endorsement of an initiative.
public struct Endorsement: Hashable, Sendable {
    /// Whether the organisation endorses it (false withdraws an endorsement).
    public var endorsed: Bool
    /// Why, in a sentence.
    public var note: String

    /// Creates an endorsement entry.
    public init(endorsed: Bool, note: String = "") {
        self.endorsed = endorsed
        self.note = note
    }
}
