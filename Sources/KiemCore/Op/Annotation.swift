/// One organisation's annotation of an initiative: how it files and weighs the
/// initiative in its own portfolio. The regie labels initiatives with a
/// programme (`werkagenda-2027`) and marks the ones it steers on; an agency
/// may keep labels of its own. Each organisation writes only its own entry,
/// so annotating never touches the owner's fields.
public struct Annotation: Hashable, Sendable {
    /// How much weight the annotating organisation gives an initiative.
    public enum Priority: UInt8, CaseIterable, Sendable, CustomStringConvertible {
        case low = 1, normal, high

        /// Parses the lowercase name, e.g. `high`.
        public init?(name: String) {
            guard let priority = Self.allCases.first(where: { $0.description == name }) else { return nil }
            self = priority
        }

        public var description: String {
            switch self {
            case .low: "low"
            case .normal: "normal"
            case .high: "high"
            }
        }
    }

    /// The portfolio label: 1 to 40 lowercase letters, digits or '-', or
    /// empty for none.
    public var label: String
    /// The priority.
    public var priority: Priority
    /// A free-text note, e.g. why it matters.
    public var note: String

    /// Creates an annotation.
    public init(label: String = "", priority: Priority = .normal, note: String = "") {
        self.label = label
        self.priority = priority
        self.note = note
    }

    /// Whether it says nothing: no label, normal priority, no note. Writing
    /// an empty annotation clears an organisation's entry.
    public var isEmpty: Bool { label.isEmpty && priority == .normal && note.isEmpty }
}
