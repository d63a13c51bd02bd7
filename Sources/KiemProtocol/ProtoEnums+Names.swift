import KiemCore

// The lowercase names the Control API's enums go by in kiemctl's output and
// the dashboard's pages and JSON. Phases, adoption statuses and priorities
// take them from KiemCore, whose raw values are the protobuf numbers.

extension Kiem_V1_Phase {
    /// E.g. `pilot`; `unspecified` for PHASE_UNSPECIFIED or an unknown number.
    public var name: String { Phase(rawValue: UInt8(clamping: rawValue)).map(\.description) ?? "unspecified" }
}

extension Kiem_V1_AdoptionStatus {
    /// E.g. `piloting`; `unspecified` for ADOPTION_STATUS_UNSPECIFIED or an unknown number.
    public var name: String { AdoptionStatus(rawValue: UInt8(clamping: rawValue)).map(\.description) ?? "unspecified" }
}

extension Kiem_V1_Priority {
    /// E.g. `high`; `normal` for PRIORITY_UNSPECIFIED (what writes take it
    /// to mean), `unspecified` for an unknown number.
    public var name: String {
        self == .unspecified ? "normal" : Annotation.Priority(rawValue: UInt8(clamping: rawValue)).map(\.description) ?? "unspecified"
    }
}

extension Kiem_V1_ChangeKind {
    /// E.g. `phase`; nil for CHANGE_KIND_UNSPECIFIED (a watch event listing
    /// the current state) or an unknown number.
    public var name: String? {
        switch self {
        case .create: "create"
        case .edit: "edit"
        case .phase: "phase"
        case .themes: "themes"
        case .links: "links"
        case .progress: "progress"
        case .adoption: "adoption"
        case .endorsement: "endorsement"
        case .archive: "archive"
        case .annotation: "annotation"
        case .unspecified, .UNRECOGNIZED: nil
        }
    }
}

extension Kiem_V1_AcceptPolicy {
    /// `members` or `peers`, as kiemd.toml's `accept` names it; `unspecified`
    /// for ACCEPT_POLICY_UNSPECIFIED (a node from before the setting: members)
    /// or an unknown number.
    public var name: String {
        switch self {
        case .members: "members"
        case .peers: "peers"
        case .unspecified, .UNRECOGNIZED: "unspecified"
        }
    }
}
