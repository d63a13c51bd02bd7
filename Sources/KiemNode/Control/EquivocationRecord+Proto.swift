import Foundation
import KiemCore
import KiemProtocol
import KiemStore
import SwiftProtobuf

extension EquivocationRecord {
    /// The proof as `Status` reports it: both signed runs with their proofs,
    /// so that anyone with the origin's certificate can check it.
    var proto: Kiem_V1_EquivocationProof {
        Kiem_V1_EquivocationProof.with {
            $0.origin = origin.rawValue
            $0.seq = seq
            $0.first = held.map(WireOps.proto)
            $0.second = offered.map(WireOps.proto)
            $0.firstPreviousChain = Data(previousChain)
            $0.secondPreviousChain = Data(previousChain)
        }
    }
}
