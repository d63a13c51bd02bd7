import Foundation
public import KiemProtocol
import SwiftProtobuf

extension CertificateExpiry {
    /// The Control API's form (`StatusResponse.certificates`).
    public var proto: Kiem_V1_CertificateValidity {
        Kiem_V1_CertificateValidity.with {
            $0.kind = switch kind {
            case .node: .node
            case .ca: .ca
            case .peer: .peer
            }
            $0.name = name
            $0.notValidAfterUnix = Int64(notValidAfter.timeIntervalSince1970.rounded(.down))
        }
    }

    /// Reads the Control API's form; nil for an unspecified or unknown kind.
    public init?(proto: Kiem_V1_CertificateValidity) {
        let kind: Kind
        switch proto.kind {
        case .node: kind = .node
        case .ca: kind = .ca
        case .peer: kind = .peer
        case .unspecified, .UNRECOGNIZED: return nil
        }
        self.init(kind: kind, name: proto.name, notValidAfter: Date(timeIntervalSince1970: TimeInterval(proto.notValidAfterUnix)))
    }
}
