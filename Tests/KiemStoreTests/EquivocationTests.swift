import Crypto
import KiemCore
import KiemStore
import KiemTestSupport
import Testing

/// The store keeps one proof of equivocation per origin, with both signed
/// runs byte for byte, across a reopen.
@Suite("proofs of equivocation")
struct EquivocationTests {
    @Test("signedRun reads an origin's ops from a seq to its first signed one; a proof is kept once per origin and survives a reopen")
    func keepsTheFirstProof() throws {
        try withTemporaryDirectory { directory in
            let node = try NodeID("uwv-1")
            let key = OriginSigningKey.p256(P256.Signing.PrivateKey())
            // 10 ops, signed at seq 4, 8 and 10.
            let history = try SignedHistory.make(
                node: node, organisation: try OrganisationID("uwv"), key: key, initiatives: 2, signEvery: 4)
            let store = try KiemStore.open(path: directory.storePath)
            try store.apply(history)

            let run = try store.signedRun(of: node, from: 2)
            #expect(run.map(\.op.id.seq) == [2, 3, 4])
            #expect(run.map(\.canonical) == history[1...3].map(\.canonical))
            #expect(run.last?.proof?.signature != nil && run.dropLast().allSatisfy { $0.proof?.signature == nil })
            #expect(try store.signedRun(of: node, from: 9).map(\.op.id.seq) == [9, 10])
            #expect(try store.signedRun(of: node, from: 11).isEmpty)
            #expect(try store.signedRun(of: try NodeID("svb-1"), from: 1).isEmpty)

            let record = EquivocationRecord(
                origin: node, seq: 2, previousChain: history[0].proof!.chain, held: run, offered: Array(history[4...7]),
                detectedMillis: 1_796_126_400_000)
            #expect(try store.recordEquivocation(record))
            var later = record
            later.seq = 9
            #expect(try !store.recordEquivocation(later), "the first proof is kept")
            #expect(try store.equivocations() == [record])
            try store.close()

            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            #expect(try reopened.equivocations() == [record])
            #expect(try reopened.equivocatingOrigins() == [node])
        }
    }
}
