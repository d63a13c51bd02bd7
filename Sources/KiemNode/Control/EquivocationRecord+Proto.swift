import Foundation
import KiemCore
import KiemProtocol
import KiemStore
import SwiftProtobuf

extension EquivocationRecord {
    /// The proof as `Status` reports it: both signed runs with their proofs,
    /// so that anyone with the origin's certificate can check it.
    var proto: Kiem_V1_EquivocationProof {
        func wire(_ encoded: EncodedOp) -> Kiem_V1_Op {
            Kiem_V1_Op.with {
                $0.canonical = Data(encoded.canonical)
                $0.chain = Data(encoded.proof?.chain ?? [])
                $0.signature = Data(encoded.proof?.signature ?? [])
            }
        }
        return Kiem_V1_EquivocationProof.with {
            $0.origin = origin.rawValue
            $0.seq = seq
            $0.first = held.map(wire)
            $0.second = offered.map(wire)
            $0.firstPreviousChain = Data(previousChain)
            $0.secondPreviousChain = Data(previousChain)
        }
    }
}
