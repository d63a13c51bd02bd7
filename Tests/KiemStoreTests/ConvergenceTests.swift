import Foundation
import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// The store decides exactly as the in-memory reference replica: for random
/// federation histories delivered per origin in order, origins interleaved
/// at random (so ops often arrive before their creation or the adoption they
/// name) and in random batch sizes, the store's state equals the replica's,
/// before and after reopening.
@Suite struct ConvergenceTests {
    static let seeds: [UInt64] = (0..<50).map { 0x6B69_656D_0000 + UInt64($0) * 7919 }

    @Test(arguments: seeds)
    func storeMatchesTheInMemoryReplica(seed: UInt64) throws {
        let scenario = RandomScenario(seed: seed, steps: 60)
        var rng = SeededGenerator(seed: seed)
        let delivery = Fixtures.interleaved(scenario.ops, using: &rng)
        var replica = Replica()
        replica.apply(scenario.ops)

        try withTemporaryDirectory { directory in
            let store = try KiemStore.open(path: directory.storePath)
            var held = 0
            var previous: [Op] = []
            for batch in Fixtures.randomBatches(delivery, maximum: 12, using: &rng) {
                let outcome = try store.apply(batch)
                held += outcome.held.count
                // Now and then a batch arrives twice, or overlaps the previous one.
                if Int.random(in: 0..<5, using: &rng) == 0 {
                    let again = try store.apply(previous + batch)
                    #expect(again.isEmpty && again.duplicates == previous.count + batch.count, "seed \(seed)")
                }
                previous = batch
            }
            try check(store, against: replica, seed: seed)
            try store.checkSearchIndex()
            try store.close()

            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            try check(reopened, against: replica, seed: seed)
        }
    }

    /// Held ops really happen in these histories (otherwise the test above
    /// would prove little about holding).
    @Test func theseHistoriesHoldOps() throws {
        var heldSomewhere = 0
        for seed in Self.seeds.prefix(10) {
            let scenario = RandomScenario(seed: seed, steps: 60)
            var rng = SeededGenerator(seed: seed)
            let delivery = Fixtures.interleaved(scenario.ops, using: &rng)
            try withStore { store, _ in
                for batch in Fixtures.randomBatches(delivery, maximum: 12, using: &rng) {
                    heldSomewhere += try store.apply(batch).held.count
                }
            }
        }
        #expect(heldSomewhere > 0)
    }

    private func check(_ store: KiemStore, against replica: Replica, seed: UInt64) throws {
        #expect(try store.digest() == replica.digest, "seed \(seed)")
        #expect(try store.versionVector() == replica.versionVector, "seed \(seed)")
        let counts = try store.counts()
        #expect(counts.initiatives == replica.initiatives.count, "seed \(seed)")
        #expect(counts.held == replica.heldCount, "seed \(seed)")
        var rejectedByReplica: [OpID: Rejection] = [:]
        for op in replica.receivedOps {
            if case let .rejected(rejection)? = replica.status(of: op.id) { rejectedByReplica[op.id] = rejection }
        }
        #expect(counts.rejected == rejectedByReplica.count, "seed \(seed)")
        #expect(counts.ops == replica.receivedOps.count, "seed \(seed)")
        for (id, initiative) in replica.initiatives {
            let record = try store.initiative(id)
            #expect(record?.initiative == initiative, "seed \(seed), initiative \(id)")
        }
        let rejected = try store.rejectedOps(limit: 10_000)
        #expect(Set(rejected.map(\.op.id)) == Set(rejectedByReplica.keys), "seed \(seed)")
        for entry in rejected {
            #expect(rejectedByReplica[entry.op.id] == entry.rejection, "seed \(seed)")
        }
        for op in replica.receivedOps {
            guard let status = replica.status(of: op.id) else { continue }
            let history = try store.initiative(op.initiative)?.history
            if let history {
                #expect(history.first { $0.op == op }?.status == status, "seed \(seed), op \(op.id)")
            }
        }
        let listed = try store.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 10_000))
        #expect(Set(listed.map(\.id)) == Set(replica.initiatives.keys), "seed \(seed)")
        for summary in listed {
            let initiative = try #require(replica.initiatives[summary.id])
            #expect(summary.title == initiative.title, "seed \(seed)")
            #expect(summary.phase == initiative.currentPhase.phase, "seed \(seed)")
            #expect(summary.themes == initiative.themes.elements, "seed \(seed)")
            #expect(summary.adoptions == initiative.adoptionStatuses, "seed \(seed)")
            #expect(summary.isContested == initiative.isContestedAnywhere, "seed \(seed)")
        }
    }
}
