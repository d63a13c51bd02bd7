import Foundation
import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// The cursor over what a peer lacks.
@Suite struct MissingOpsCursorTests {
    /// Drains a cursor, checking every batch's size.
    static func drain(_ cursor: inout MissingOpsCursor, batchSize: Int) throws -> [Op] {
        var all: [Op] = []
        while let batch = try cursor.next() {
            #expect(!batch.isEmpty)
            #expect(batch.count <= batchSize)
            all += batch
        }
        #expect(try cursor.next() == nil)
        return all
    }

    @Test func returnsExactlyWhatThePeerLacksPerOriginInOrder() throws {
        try withStore { store, _ in
            let scenario = RandomScenario(seed: 99, steps: 80)
            var rng = SeededGenerator(seed: 99)
            for batch in Fixtures.randomBatches(Fixtures.interleaved(scenario.ops, using: &rng), maximum: 9, using: &rng) {
                try store.apply(batch)
            }
            let counts = try store.counts()
            #expect(counts.held + counts.rejected > 0)  // held and rejected ops are part of the log
            let mine = try store.versionVector()
            let byOrigin = Fixtures.perOrigin(scenario.ops)
            let origins = byOrigin.keys.sorted()

            // Peers: empty, complete, partial, and knowing an origin we lack.
            var partial: [NodeID: UInt64] = [:]
            for origin in origins { partial[origin] = UInt64.random(in: 0...mine[origin], using: &rng) }
            var stranger = partial
            stranger[Fixtures.nodeID("elders-1")] = 12
            for peer in [VersionVector(), mine, VersionVector(partial), VersionVector(stranger)] {
                for batchSize in [1, 3, 50, 10_000] {
                    var cursor = try store.missingOps(for: peer, batchSize: batchSize)
                    #expect(cursor.remaining == mine.missing(from: peer).reduce(0) { $0 + UInt64($1.seqs.count) })
                    let received = try Self.drain(&cursor, batchSize: batchSize)
                    let expected = origins.flatMap { origin in byOrigin[origin]!.filter { $0.id.seq > peer[origin] } }
                    #expect(received == expected, "peer \(peer), batch size \(batchSize)")
                    #expect(cursor.remaining == 0)
                }
            }
            // A peer that applies what it lacks ends with the same state.
            try withStore { peerStore, _ in
                var cursor = try store.missingOps(for: VersionVector(), batchSize: 7)
                while let batch = try cursor.next() { try peerStore.apply(batch) }
                #expect(try peerStore.digest() == store.digest())
                #expect(try peerStore.versionVector() == mine)
                #expect(try peerStore.counts() == counts)
            }
        }
    }

    @Test func encodedBatchesAreTheCanonicalBytes() throws {
        try withStore { store, _ in
            let ops = Fixtures.simpleHistory(count: 4)
            try store.apply(ops)
            var cursor = try store.missingOps(for: VersionVector(), batchSize: 5)
            var encoded: [MissingOpsCursor.StoredOp] = []
            while let batch = try cursor.nextEncoded() { encoded += batch }
            #expect(encoded.map(\.id) == ops.map(\.id))
            #expect(encoded.map(\.canonical) == ops.map(\.canonicalBytes))
        }
    }

    @Test func opsAppliedAfterTheCursorWasMadeAreNotIncluded() throws {
        try withStore { store, _ in
            let ops = Fixtures.simpleHistory(count: 10)
            try store.apply(Array(ops[0..<10]))
            var cursor = try store.missingOps(for: VersionVector(), batchSize: 4)
            let first = try #require(try cursor.next())
            try store.apply(Array(ops[10...]))
            let rest = try Self.drain(&cursor, batchSize: 4)
            #expect(first + rest == Array(ops[0..<10]))
        }
    }

    /// 200,000 ops from one origin, read in batches of 5,000: every batch is
    /// within the bound and the ops come back complete and in order.
    @Test func staysBoundedOnALargeLog() throws {
        let total = 200_000
        try withStore { store, _ in
            let node = Fixtures.nodeID("uwv-1")
            let author = Fixtures.organisation("uwv")
            let start = HLCTimestamp(wallMillis: 1_764_400_000_000, logical: 0)
            let initiative = InitiativeID(timestamp: start, node: node)
            var batch: [Op] = [Op(id: OpID(origin: node, seq: 1), hlc: start, author: author, initiative: initiative,
                                  mutation: .create(InitiativeDraft(title: "Logboek")))]
            var previous = batch[0].id
            for seq in 2...UInt64(total) {
                let op = Op(id: OpID(origin: node, seq: seq), hlc: HLCTimestamp(rawValue: start.rawValue + seq),
                            author: author, initiative: initiative,
                            mutation: .setText(.summary, "stand \(seq)", supersedes: [previous]))
                previous = op.id
                batch.append(op)
                if batch.count == 20_000 {
                    try store.apply(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try store.apply(batch)
            #expect(try store.versionVector()[node] == UInt64(total))

            var cursor = try store.missingOps(for: VersionVector([node: 1_000]), batchSize: 5_000)
            var expectedSeq: UInt64 = 1_001
            var batches = 0
            while let ops = try cursor.nextEncoded() {
                #expect(ops.count <= 5_000)
                batches += 1
                for op in ops {
                    if op.id.seq != expectedSeq {
                        Issue.record("expected seq \(expectedSeq), got \(op.id)")
                        return
                    }
                    expectedSeq += 1
                }
            }
            #expect(expectedSeq == UInt64(total) + 1)
            #expect(batches == (total - 1_000) / 5_000 + ((total - 1_000) % 5_000 == 0 ? 0 : 1))
        }
    }
}
