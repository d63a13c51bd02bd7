import KiemCore
@testable import KiemNode
import KiemStore
import Testing

@Suite("outgoing batches end every origin run at a signed op")
struct OutboundBatchesTests {
    static func op(_ origin: String, _ seq: UInt64, signed: Bool) -> MissingOpsCursor.StoredOp {
        MissingOpsCursor.StoredOp(
            id: OpID(origin: try! NodeID(origin), seq: seq), canonical: [1],
            chain: [UInt8](repeating: 0, count: 32), signature: signed ? [9] : nil)
    }

    @Test("a final run ending unsigned is cut after its last signed op")
    func cutAtLastSignedOp() throws {
        let ops = [Self.op("a-1", 1, signed: true), Self.op("b-1", 1, signed: false), Self.op("b-1", 2, signed: true),
                   Self.op("b-1", 3, signed: false)]
        let (send, carry) = try #require(OutboundBatches.cut(ops))
        #expect(send.map(\.id.seq) == [1, 1, 2])
        #expect(carry.map(\.id.seq) == [3])
    }

    @Test("a final run with no signed op is carried whole; a lone unsigned run needs more ops")
    func carryWholeRun() throws {
        let ops = [Self.op("a-1", 1, signed: true), Self.op("b-1", 1, signed: false), Self.op("b-1", 2, signed: false)]
        let (send, carry) = try #require(OutboundBatches.cut(ops))
        #expect(send.map(\.id.origin.rawValue) == ["a-1"])
        #expect(carry.count == 2)
        #expect(OutboundBatches.cut(Array(ops.dropFirst())) == nil)
    }

    @Test("ops stored without proofs end runs as they are")
    func withoutProofs() throws {
        let bare = MissingOpsCursor.StoredOp(id: OpID(origin: try NodeID("a-1"), seq: 1), canonical: [1], chain: nil, signature: nil)
        let (send, carry) = try #require(OutboundBatches.cut([bare]))
        #expect(send == [bare])
        #expect(carry.isEmpty)
    }

    @Test("a byte budget keeps a batch to the signed ops that fit, at least one")
    func byteBudget() throws {
        func big(_ seq: UInt64, signed: Bool) -> MissingOpsCursor.StoredOp {
            var op = Self.op("a-1", seq, signed: signed)
            op.canonical = [UInt8](repeating: 7, count: 400)
            return op
        }
        let ops = (1...10).map { big($0, signed: $0 % 2 == 0) }
        #expect(OutboundBatches.prefix(of: ops, maxBytes: 1_000).count == 2)
        #expect(OutboundBatches.prefix(of: ops, maxBytes: 100).count == 1)
        let (send, _) = try #require(OutboundBatches.cut(OutboundBatches.prefix(of: ops, maxBytes: 1_300)))
        #expect(send.map(\.id.seq) == [1, 2])
    }
}
