// A conformance of KiemCore's public enums is public: hence public imports.
public import ArgumentParser
public import KiemCore
import KiemProtocol

// The lowercase names kiemctl shows and accepts for the Control API's enums.
// Phases, adoption statuses and priorities take their names from KiemCore, whose raw
// values are the protobuf numbers. As arguments, an unknown name is a usage
// error listing the valid ones, and shell completion offers them.

extension Phase: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.description) }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension AdoptionStatus: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.description) }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension Annotation.Priority: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.description) }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension Kiem_V1_Phase {
    init(_ phase: Phase) {
        self = Kiem_V1_Phase(rawValue: Int(phase.rawValue)) ?? .unspecified
    }
}

extension Kiem_V1_AdoptionStatus {
    init(_ status: AdoptionStatus) {
        self = Kiem_V1_AdoptionStatus(rawValue: Int(status.rawValue)) ?? .unspecified
    }
}

extension Kiem_V1_Priority {
    init(_ priority: Annotation.Priority) {
        self = Kiem_V1_Priority(rawValue: Int(priority.rawValue)) ?? .unspecified
    }
}

extension Kiem_V1_NodeRole {
    var name: String {
        switch self {
        case .agency: "agency"
        case .regie: "regie"
        case .unspecified, .UNRECOGNIZED: "unspecified"
        }
    }
}

extension Kiem_V1_PeerState {
    var name: String {
        switch self {
        case .connecting: "connecting"
        case .connected: "connected"
        case .backoff: "backoff"
        case .failed: "failed"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }
}

extension Kiem_V1_SyncProgress.Stage {
    var name: String {
        switch self {
        case .connecting: "connecting"
        case .handshake: "handshake"
        case .pulling: "pulling"
        case .pushing: "pushing"
        case .done: "done"
        case .failed: "failed"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }
}
