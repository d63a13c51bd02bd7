import Foundation
import KiemProtocol
import KiemTestSupport
import SwiftProtobuf

extension TestNodeIdentity {
    /// The identity's certificate chain as an `OpBatch` carries it, claimed
    /// for `node` (a test may claim another node's id with it).
    func certificate(as node: String) throws -> Kiem_V1_NodeCertificate {
        let chain = try chainDER
        return Kiem_V1_NodeCertificate.with {
            $0.nodeID = node
            $0.chainDer = chain.map { Data($0) }
        }
    }
}
