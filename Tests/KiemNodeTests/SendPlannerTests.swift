import Foundation
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import KiemWire
import SwiftProtobuf
import Testing

/// The send planner as a value: ops in, batches out, no store or socket.
@Suite("send planner")
struct SendPlannerTests {
    static func op(_ origin: String, _ seq: UInt64, signed: Bool, bytes: Int = 100) -> MissingOpsCursor.StoredOp {
        MissingOpsCursor.StoredOp(
            id: OpID(origin: try! NodeID(origin), seq: seq), canonical: [UInt8](repeating: 7, count: bytes),
            chain: [UInt8](repeating: 0, count: 32), signature: signed ? [UInt8](repeating: 9, count: 64) : nil)
    }

    static let certificates: [NodeID: Kiem_V1_NodeCertificate] = Dictionary(uniqueKeysWithValues: ["a-1", "b-1", "c-1"].map { name in
        (try! NodeID(name), Kiem_V1_NodeCertificate.with {
            $0.nodeID = name
            $0.chainDer = [Data(repeating: 3, count: 600)]
        })
    })

    /// Plans every batch for `ops`, fed `chunk` ops at a time.
    static func plan(_ ops: [MissingOpsCursor.StoredOp], limits: BatchLimits, chunk: Int = 1_000) throws -> [SendPlanner.Batch] {
        var planner = SendPlanner(limits: limits)
        var input = ops[...]
        var batches: [SendPlanner.Batch] = []
        while true {
            switch try planner.next(certificates: { certificates[$0].map { [$0] } ?? [] }) {
            case let .send(batch): batches.append(batch)
            case .needOps:
                if input.isEmpty {
                    planner.finishInput()
                } else {
                    planner.add(Array(input.prefix(chunk)))
                    input = input.dropFirst(chunk)
                }
            case .done: return batches
            }
        }
    }

    /// Checks what every batch must be: within the limits (the real
    /// encoded size), runs ending at signed ops that carry their signature,
    /// nothing else signed, and all ops in order.
    static func checkInvariants(_ batches: [SendPlanner.Batch], of ops: [MissingOpsCursor.StoredOp], limits: BatchLimits) throws {
        for batch in batches {
            let encoded: [UInt8] = try batch.message.serializedBytes()
            #expect(encoded.count == batch.encodedBytes, "the planner counts the bytes it sends")
            #expect(encoded.count <= limits.maxMessageBytes)
            #expect(batch.ops.count <= limits.maxOps ?? .max)
            for (index, item) in batch.ops.enumerated() {
                let endsRun = index == batch.ops.count - 1 || batch.ops[index + 1].op.id.origin != item.op.id.origin
                #expect(item.signed == endsRun)
                if endsRun { #expect(item.op.signature != nil) }
            }
        }
        #expect(batches.flatMap { $0.ops.map(\.op) } == ops)
        let carried = batches.flatMap { $0.certificates.map(\.nodeID) }
        #expect(carried == Array(Set(ops.map(\.id.origin.rawValue))).sorted(), "each origin's certificate once")
    }

    @Test("ops written one signed write at a time split into batches that fit a 16 KiB frame")
    func smallFrame() throws {
        let ops = (1...400).map { Self.op("a-1", $0, signed: true) } + (1...50).map { Self.op("b-1", $0, signed: $0 % 5 == 0) }
        let limits = BatchLimits(maxMessageBytes: 16_384)
        let batches = try Self.plan(ops, limits: limits, chunk: 37)
        #expect(batches.count > 2)
        try Self.checkInvariants(batches, of: ops, limits: limits)
    }

    @Test("the default limits make batches of about 1 MiB or 5,000 ops, within a 4 MiB frame")
    func defaults() throws {
        let ops = (1...12_000).map { Self.op("a-1", $0, signed: $0 % 500 == 0 || $0 == 12_000) }
        let limits = BatchLimits(maxMessageBytes: 4 << 20)
        let batches = try Self.plan(ops, limits: limits)
        try Self.checkInvariants(batches, of: ops, limits: limits)
        #expect(batches.map(\.ops.count) == [5_000, 5_000, 2_000])
    }

    @Test("a byte target stops a batch at the signed op that reaches it")
    func byteTarget() throws {
        let ops = (1...10).map { Self.op("a-1", $0, signed: $0 % 2 == 0, bytes: 400) }
        let limits = BatchLimits(maxMessageBytes: 4 << 20, targetBytes: 1_000)
        let batches = try Self.plan(ops, limits: limits)
        try Self.checkInvariants(batches, of: ops, limits: limits)
        // The first batch also carries a-1's certificate (611 bytes).
        #expect(batches.map(\.ops.count) == [2, 4, 4])
    }

    @Test("a hard op limit is honoured at signed ops")
    func opLimit() throws {
        let ops = (1...30).map { Self.op("a-1", $0, signed: $0 % 3 == 0) }
        let limits = BatchLimits(maxMessageBytes: 4 << 20, maxOps: 10)
        let batches = try Self.plan(ops, limits: limits)
        try Self.checkInvariants(batches, of: ops, limits: limits)
        #expect(batches.map(\.ops.count) == [9, 9, 9, 3])
    }

    @Test("a signed span larger than the frame is refused with RESOURCE_EXHAUSTED, never sent")
    func spanTooLarge() throws {
        let ops = (1...300).map { Self.op("a-1", $0, signed: $0 == 300) }
        #expect(throws: BatchTooLarge.self) { try Self.plan(ops, limits: BatchLimits(maxMessageBytes: 16_384)) }
        do {
            _ = try Self.plan(ops, limits: BatchLimits(maxMessageBytes: 16_384))
        } catch let error as BatchTooLarge {
            #expect(error.rpcError.code == .resourceExhausted)
            #expect(error.origin.rawValue == "a-1" && error.firstSeq == 1)
            #expect(error.description.contains("16384 bytes"))
        }
        // Ops sent before the span still go out first.
        var planner = SendPlanner(limits: BatchLimits(maxMessageBytes: 16_384))
        planner.add([Self.op("b-1", 1, signed: true)] + ops)
        planner.finishInput()
        guard case let .send(first) = try planner.next(certificates: { _ in [] }) else {
            Issue.record("expected the first batch")
            return
        }
        #expect(first.ops.map(\.op.id.origin.rawValue) == ["b-1"])
        #expect(throws: BatchTooLarge.self) { try planner.next(certificates: { _ in [] }) }
    }

    @Test("certificates count towards the frame: a span that fits alone but not with its certificate is refused")
    func certificatesCount() throws {
        let span = (1...10).map { Self.op("a-1", $0, signed: $0 == 10, bytes: 1_500) }
        let bare = SendPlanner.Batch(ops: span.map { ($0, $0.id.seq == 10) }, certificates: [], encodedBytes: 0)
        let withoutCertificate = try (bare.message.serializedBytes() as [UInt8]).count
        let limits = BatchLimits(maxMessageBytes: withoutCertificate + 100)
        #expect(throws: BatchTooLarge.self) { try Self.plan(span, limits: limits) }
        let roomy = BatchLimits(maxMessageBytes: withoutCertificate + 700)
        try Self.checkInvariants(try Self.plan(span, limits: roomy), of: span, limits: roomy)
    }

    @Test("a live stream carries each origin's certificate once across rounds")
    func certificatesOncePerStream() throws {
        var planner = SendPlanner(limits: BatchLimits(maxMessageBytes: 4 << 20))
        var carried: [String] = []
        for round in 1...3 {
            planner.restart(anchors: [:])
            planner.add([Self.op("a-1", UInt64(round), signed: true)])
            planner.finishInput()
            while case let .send(batch) = try planner.next(certificates: { Self.certificates[$0].map { [$0] } ?? [] }) {
                carried += batch.certificates.map(\.nodeID)
            }
        }
        #expect(carried == ["a-1"])
    }

    @Test("random op streams and limits: every batch keeps every invariant")
    func randomStreams() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var ops: [MissingOpsCursor.StoredOp] = []
            for origin in ["a-1", "b-1", "c-1"].prefix(Int.random(in: 1...3, using: &generator)) {
                let count = Int.random(in: 1...60, using: &generator)
                ops += (1...count).map { seq in
                    Self.op(origin, UInt64(seq), signed: seq == count || Int.random(in: 0..<4, using: &generator) == 0,
                            bytes: Int.random(in: 1...200, using: &generator))
                }
            }
            // Every span fits: at most 60 ops of at most 240 encoded bytes.
            let limits = BatchLimits(maxMessageBytes: Int.random(in: 16_384...40_000, using: &generator),
                                     maxOps: Bool.random(using: &generator) ? Int.random(in: 60...100, using: &generator) : nil,
                                     targetBytes: Int.random(in: 1_000...20_000, using: &generator))
            let batches = try Self.plan(ops, limits: limits, chunk: Int.random(in: 1...50, using: &generator))
            try Self.checkInvariants(batches, of: ops, limits: limits)
        }
    }
}
