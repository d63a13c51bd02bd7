import FuzzSupport
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import SwiftProtobuf

// Fuzzes a received `kiem.v1.OpBatch` down the node's own ingest path: the
// protobuf message, `ReceivedBatch` (each op decoded strictly from its
// canonical bytes, payload digests, signed-span limit), then
// `IngestPlanner.verify` (runs continue their origin's head, chain links,
// signatures, clock) on a replica that holds nothing yet and knows two
// origins (`BatchSeeds.origins`).
//
// Properties:
// 1. Every op that decodes re-encodes canonically: `op.canonicalBytes` is
//    exactly the bytes it came from, and its header is their prefix.
// 2. A batch the planner accepts also passes `ChainVerifier.verify` (the
//    KiemCore check, which hashes headers it encodes itself instead of the
//    received prefix), with the same heads; and each head is its origin's
//    last op in the batch, with that op's chain.
// 3. Every accepted op is from a known origin with its organisation as
//    author.

/// The wall clock the batch is received at (the seeds' ops are from just before).
let wallMillis = BatchSeeds.wallMillis

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let message = try? Kiem_V1_OpBatch(serializedBytes: bytes) else { return 0 }
    let batch = ReceivedBatch(message, receivedMillis: wallMillis)
    fuzzCheck(batch.count == message.ops.count, "counted \(batch.count) of \(message.ops.count) ops")
    guard case .success(let ops) = batch.ops else { return 0 }

    for encoded in ops {
        fuzzCheck(encoded.op.canonicalBytes == encoded.canonical, "\(encoded.op.id) decoded from bytes it does not re-encode to")
        fuzzCheck(Array(encoded.canonical.prefix(encoded.op.headerLength)) == encoded.op.headerBytes,
                  "\(encoded.op.id): the header is not the canonical bytes' prefix")
    }

    let planner = IngestPlanner(heads: [:], vector: VersionVector(), quarantined: [:], clock: HybridLogicalClock())
    let sorted = planner.sort(ops)
    fuzzCheck(sorted.held.isEmpty && sorted.fresh == ops, "an empty replica holds some of the batch")
    let planned = Result { () throws(IngestError) in try planner.verify(sorted.fresh, identity: BatchSeeds.identity, wallMillis: wallMillis) }
    guard case .success(let accepted) = planned else { return 0 }

    let signed = ops.map { SignedOp(op: $0.op, proof: $0.proof ?? OpProof(chain: [], signature: nil)) }
    let core = Result { () throws(IntegrityError) in try ChainVerifier.verify(signed, states: [:], identity: BatchSeeds.identity) }
    fuzzCheck(core == .success(accepted.heads), "the planner accepted heads \(accepted.heads), ChainVerifier says \(core)")
    for (origin, head) in accepted.heads {
        let last = ops.last { $0.op.origin == origin }
        fuzzCheck(last?.op.id.seq == head.seq && last?.proof?.chain == head.chain, "\(origin)'s head \(head) is not its last op")
    }
    for encoded in ops {
        fuzzCheck(BatchSeeds.identity(encoded.op.origin)?.organisation == encoded.op.author, "accepted \(encoded.op.id) by \(encoded.op.author)")
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    SeedCorpus.writeIfAsked(BatchSeeds.all)
    return 0
}

/// The entry point (see `FuzzDriver`).
@_cdecl("FuzzOpBatch_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzz)
}
