/// How far initiatives got along idea → experiment → pilot → proven →
/// scaling.
///
/// An initiative counts in the stage of its current phase and in every stage
/// before it: one that is scaling has been an idea, an experiment, a pilot
/// and proven. A stopped initiative's last phase before stopping is not
/// known, so stopped ones are counted apart.
public struct Funnel: Hashable, Sendable {
    /// One step of the funnel.
    public struct Stage: Hashable, Sendable {
        /// The phase.
        public let phase: Phase
        /// The initiatives that reached at least this phase.
        public let reached: Int
    }

    /// The stages from idea to scaling.
    public let stages: [Stage]
    /// The stopped initiatives.
    public let stopped: Int

    /// The funnel of initiatives counted by current phase.
    public init(_ byPhase: PhaseCounts) {
        let path = Phase.allCases.filter { $0 != .stopped }
        stages = path.map { phase in
            Stage(phase: phase, reached: path.filter { $0 >= phase }.reduce(0) { $0 + byPhase[$1] })
        }
        stopped = byPhase[.stopped]
    }
}
