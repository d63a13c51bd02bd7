/// Where an initiative stands. The usual path is idea → experiment → pilot →
/// proven → scaling; `stopped` may follow any phase and needs lessons learned.
public enum Phase: UInt8, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    case idea = 1, experiment, pilot, proven, scaling, stopped

    /// Parses the lowercase name, e.g. `pilot`.
    public init?(name: String) {
        guard let phase = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = phase
    }

    public var description: String {
        switch self {
        case .idea: "idea"
        case .experiment: "experiment"
        case .pilot: "pilot"
        case .proven: "proven"
        case .scaling: "scaling"
        case .stopped: "stopped"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The value of the phase register: the phase and, for `stopped`, what was
/// learned.
public struct PhaseValue: Hashable, Sendable {
    /// The phase.
    public var phase: Phase
    /// Lessons learned; required when `phase` is `stopped`.
    public var lessonsLearned: String?

    /// Creates a phase value.
    public init(_ phase: Phase, lessonsLearned: String? = nil) {
        self.phase = phase
        self.lessonsLearned = lessonsLearned
    }
}
