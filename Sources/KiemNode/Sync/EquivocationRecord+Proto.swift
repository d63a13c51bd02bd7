import Foundation
import KiemCore
import KiemProtocol
import KiemStore
import SwiftProtobuf

extension EquivocationRecord {
    /// The proof as it travels (in `OpBatch.equivocations`) and as `Status`
    /// reports it: both signed runs with their proofs, so that anyone with
    /// the origin's certificate can check it.
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

    /// Decodes a proof a peer sent, strictly (each op as ``WireOps/decode(_:)``
    /// does); `verify(identity:)` checks what it proves.
    /// - Parameter receivedMillis: when it arrived, kept as its detection time.
    /// - Throws: ``IngestError/malformed(_:)`` for a proof that does not decode.
    init(_ proof: Kiem_V1_EquivocationProof, receivedMillis: UInt64) throws(IngestError) {
        let origin: NodeID
        do {
            origin = try NodeID(proof.origin)
        } catch {
            throw .malformed("an equivocation proof names no valid origin: \(error)")
        }
        guard proof.firstPreviousChain.count == 32, proof.firstPreviousChain == proof.secondPreviousChain else {
            throw .malformed("an equivocation proof of \(origin) whose two runs do not continue one 32-byte chain hash")
        }
        var held: [EncodedOp] = []
        var offered: [EncodedOp] = []
        for wire in proof.first { held.append(try WireOps.decode(wire)) }
        for wire in proof.second { offered.append(try WireOps.decode(wire)) }
        self.init(origin: origin, seq: proof.seq, previousChain: [UInt8](proof.firstPreviousChain), held: held,
                  offered: offered, detectedMillis: receivedMillis)
    }
}
