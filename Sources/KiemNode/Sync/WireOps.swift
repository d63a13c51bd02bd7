import Foundation
import KiemCore
import KiemProtocol
import KiemStore

/// Conversions between stored ops and their wire form (`kiem.v1.Op`).
enum WireOps {
    /// The wire form of a stored op; its signature only when `signed`.
    static func proto(_ stored: MissingOpsCursor.StoredOp, signed: Bool) -> Kiem_V1_Op {
        var op = Kiem_V1_Op()
        op.canonical = Data(stored.canonical)
        if let chain = stored.chain { op.chain = Data(chain) }
        if signed, let signature = stored.signature { op.signature = Data(signature) }
        return op
    }

    /// The wire form of a decoded op, with its proof as it has it.
    static func proto(_ encoded: EncodedOp) -> Kiem_V1_Op {
        var op = Kiem_V1_Op()
        op.canonical = Data(encoded.canonical)
        if let proof = encoded.proof {
            op.chain = Data(proof.chain)
            if let signature = proof.signature { op.signature = Data(signature) }
        }
        return op
    }

    /// Decodes a received op strictly, with its proof.
    /// - Throws: ``IngestError/integrity(_:)`` for a payload that does not
    ///   match its digest, ``IngestError/malformed(_:)`` for anything else
    ///   that does not decode.
    static func decode(_ wire: Kiem_V1_Op) throws(IngestError) -> EncodedOp {
        guard wire.chain.count == 32 else {
            throw .malformed("an op carries a chain hash of \(wire.chain.count) bytes, not 32")
        }
        do throws(CanonicalDecodingError) {
            return try EncodedOp(
                canonical: [UInt8](wire.canonical),
                proof: OpProof(chain: [UInt8](wire.chain), signature: wire.signature.isEmpty ? nil : [UInt8](wire.signature)))
        } catch .payloadDigestMismatch(let id) {
            // An altered payload is a forgery like a broken link (WIRE.md 16.6).
            throw .integrity(.alteredPayload(id))
        } catch {
            throw .malformed("an op does not decode: \(error)")
        }
    }
}
