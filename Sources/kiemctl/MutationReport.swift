import KiemProtocol

/// What a write prints: what was done, the op it created and the initiative
/// afterwards.
struct MutationReport: CommandOutput {
    /// "created", "edited", …
    var action: String
    /// The op, as "node:seq".
    var op: String
    var initiative: InitiativeDetail

    init(_ action: String, _ response: Kiem_V1_MutationResponse) {
        self.action = action
        op = Display.op(response.op)
        initiative = InitiativeDetail(response.initiative)
    }

    var text: String { "\(action) \(initiative.id) \"\(initiative.title)\" (\(initiative.phase)); op \(op)" }
}
