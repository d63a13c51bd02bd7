/// A number of initiatives per phase: one row of a phase matrix.
public struct PhaseCounts: Hashable, Sendable {
    private var counts = [Int](repeating: 0, count: Phase.allCases.count)

    /// All zero.
    public init() {}

    /// The initiatives in `phase`.
    public subscript(phase: Phase) -> Int {
        get { counts[Int(phase.rawValue) - 1] }
        set { counts[Int(phase.rawValue) - 1] = newValue }
    }

    /// The initiatives in every phase together.
    public var total: Int { counts.reduce(0, +) }
}
