import KiemConfiguration
import KiemCore
import KiemProtocol
import KiemStore
import SwiftProtobuf

// The Control API's messages made from what is the node's or the store's
// (KiemCore's values are mapped in KiemProtocol).

extension NodeConfiguration.Accept {
    var proto: Kiem_V1_AcceptPolicy {
        switch self {
        case .members: .members
        case .peers: .peers
        }
    }
}

extension InitiativeSummary {
    var proto: Kiem_V1_InitiativeSummary {
        Kiem_V1_InitiativeSummary.with {
            $0.id = id.description
            $0.title = title
            $0.owner = owner.rawValue
            $0.phase = phase.proto
            $0.themes = themes
            $0.adoptedBy = adoptions.filter(\.value.isActive).keys.map(\.rawValue).sorted()
            $0.archived = isArchived
            $0.updatedHlc = lastChanged.rawValue
        }
    }
}
