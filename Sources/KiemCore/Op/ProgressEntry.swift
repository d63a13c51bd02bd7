/// An entry in an initiative's append-only progress log.
public struct ProgressEntry: Hashable, Sendable {
    /// The day it concerns, `YYYY-MM-DD`.
    public var date: String
    /// What happened.
    public var text: String
    /// Optional figures, by name (e.g. `"doorlooptijd_dagen": 12`).
    public var metrics: [String: Double]

    /// Creates a progress entry.
    public init(date: String, text: String, metrics: [String: Double] = [:]) {
        self.date = date
        self.text = text
        self.metrics = metrics
    }
}
