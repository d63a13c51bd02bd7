import Foundation
import GRDB
import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// Applying batches: durability across reopening, idempotence, rejection,
/// holding and releasing, and all-or-nothing batches.
@Suite struct ApplyTests {
    @Test func closeAndReopenKeepsEverything() throws {
        try withTemporaryDirectory { directory in
            let scenario = RandomScenario(seed: 42, steps: 80)
            var rng = SeededGenerator(seed: 42)
            let delivery = Fixtures.interleaved(scenario.ops, using: &rng)
            let store = try KiemStore.open(path: directory.storePath)
            for batch in Fixtures.randomBatches(delivery, maximum: 7, using: &rng) { try store.apply(batch) }
            let vector = try store.versionVector()
            let digest = try store.digest()
            let counts = try store.counts()
            let listing = try store.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 1000))
            let records = try listing.map { try store.initiative($0.id) }
            let rejected = try store.rejectedOps(limit: 1000)
            try store.close()

            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            #expect(try reopened.versionVector() == vector)
            #expect(try reopened.digest() == digest)
            #expect(try reopened.counts() == counts)
            #expect(try reopened.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 1000)) == listing)
            for (summary, record) in zip(listing, records) {
                let again = try reopened.initiative(summary.id)
                #expect(again?.initiative == record?.initiative)
                #expect(again?.history == record?.history)
            }
            #expect(try reopened.rejectedOps(limit: 1000) == rejected)
            #expect(counts.ops == scenario.ops.count)
            #expect(vector.totalOps == UInt64(scenario.ops.count))
        }
    }

    @Test func reapplyingABatchIsANoOp() throws {
        try withStore { store, _ in
            var node = Fixtures.node("uwv-1", "uwv")
            let ops = Fixtures.simpleHistory(count: 5, on: &node)
            let first = try store.apply(ops)
            #expect(first.accepted.count == ops.count)
            let digest = try store.digest()
            let counts = try store.counts()
            let again = try store.apply(ops)
            #expect(again.isEmpty)
            #expect(again.duplicates == ops.count)
            #expect(try store.digest() == digest)
            #expect(try store.counts() == counts)
            // A batch overlapping the stored prefix applies only its new part.
            let extra = node.setText(ops[0].initiative, .title, "Nieuwe titel")
            #expect(extra.id.seq == UInt64(ops.count + 1))
            let overlapping = try store.apply(Array(ops.suffix(3)) + [extra])
            #expect(overlapping.duplicates == 3)
            #expect(overlapping.accepted == [extra])
            #expect(try store.initiative(ops[0].initiative)?.initiative.title == "Nieuwe titel")
        }
    }

    @Test func encodedOpsApplyLikeOpsAndKeepTheirBytes() throws {
        let scenario = RandomScenario(seed: 5, steps: 60)
        var rng = SeededGenerator(seed: 5)
        let delivery = Fixtures.interleaved(scenario.ops, using: &rng)
        try withStore { plain, _ in
            try withStore { encoded, _ in
                for batch in Fixtures.randomBatches(delivery, maximum: 10, using: &rng) {
                    let a = try plain.apply(batch)
                    // Every other batch hands over its bytes, duplicates included.
                    let b = Bool.random(using: &rng)
                        ? try encoded.apply(batch.map { EncodedOp($0) })
                        : try encoded.apply(batch)
                    #expect(a.accepted == b.accepted && a.duplicates == b.duplicates && a.held == b.held)
                }
                #expect(try plain.digest() == encoded.digest())
                var cursor = try encoded.missingOps(for: VersionVector(), batchSize: 1_000)
                while let batch = try cursor.nextEncoded() {
                    for op in batch { #expect(try EncodedOp(canonical: op.canonical).op.id == op.id) }
                }
                let bytes = try #require(delivery.first).canonicalBytes
                #expect(try EncodedOp(canonical: bytes).canonical == bytes)
            }
        }
    }

    @Test func rejectedOpsAreRecordedWithTheReasonAndNeverMaterialized() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            var svb = Fixtures.node("svb-1", "svb", at: 1_764_400_000_500)
            let create = uwv.create(InitiativeDraft(title: "Robotica in de bezwaarafhandeling", themes: ["robotica"]))
            try store.apply([create])
            svb.receive([create])
            let hijack = svb.setText(create.initiative, .title, "Overgenomen")
            let selfAdoption = uwv.adopt(create.initiative, .adopted)
            let outcome = try store.apply([hijack, selfAdoption])
            #expect(outcome.accepted.isEmpty)
            #expect(outcome.rejected.map(\.op) == [hijack, selfAdoption])

            let record = try #require(try store.initiative(create.initiative))
            #expect(record.initiative.title == "Robotica in de bezwaarafhandeling")
            #expect(record.initiative.adoptions.isEmpty)
            let statuses = Dictionary(uniqueKeysWithValues: record.history.map { ($0.op.id, $0.status) })
            #expect(statuses[create.id] == .accepted)
            guard case let .rejected(rejection)? = statuses[hijack.id] else {
                Issue.record("hijack not rejected: \(String(describing: statuses[hijack.id]))")
                return
            }
            #expect(rejection.rule == .ownerOnly)
            #expect(rejection.message.contains("only uwv"))
            guard case let .rejected(selfRejection)? = statuses[selfAdoption.id] else {
                Issue.record("self-adoption not rejected")
                return
            }
            #expect(selfRejection.rule == .notOnOwnInitiative)

            let rejected = try store.rejectedOps()
            #expect(Set(rejected.map(\.op)) == [hijack, selfAdoption])
            #expect(rejected.first { $0.op == hijack }?.rejection.rule == .ownerOnly)
            let summary = try #require(try store.initiatives(matching: InitiativeQuery()).first)
            #expect(summary.title == "Robotica in de bezwaarafhandeling")
            #expect(summary.adoptions.isEmpty)
            #expect(try store.initiatives(matching: InitiativeQuery(text: "Overgenomen")).isEmpty)
            #expect(try store.counts() == StoreCounts(initiatives: 1, ops: 3, held: 0, rejected: 2))
            // The rejected ops are still part of the log the vector covers.
            #expect(try store.versionVector()[Fixtures.nodeID("svb-1")] == 1)
        }
    }

    @Test func aRejectedCreateMakesNoInitiative() throws {
        try withStore { store, _ in
            let node = Fixtures.nodeID("uwv-1")
            let wrongID = InitiativeID(timestamp: HLCTimestamp(rawValue: 12345), node: node)
            let create = Op(
                id: OpID(origin: node, seq: 1), hlc: HLCTimestamp(wallMillis: 1_764_400_000_000, logical: 0),
                author: Fixtures.organisation("uwv"), initiative: wrongID, mutation: .create(InitiativeDraft(title: "Fout")))
            let outcome = try store.apply([create])
            #expect(outcome.rejected.first?.rejection.rule == .initiativeIDMismatch)
            #expect(try store.initiative(wrongID) == nil)
            #expect(try store.counts() == StoreCounts(initiatives: 0, ops: 1, held: 0, rejected: 1))
            #expect(try store.initiatives(matching: InitiativeQuery()).isEmpty)
        }
    }

    @Test func heldOpsAreReleasedWhenTheCreationArrivesInALaterBatch() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            var svb = Fixtures.node("svb-1", "svb", at: 1_764_400_000_500)
            let create = uwv.create(InitiativeDraft(title: "MPC voor inkomensgegevens", themes: ["mpc"]))
            svb.receive([create])
            let adoption = svb.adopt(create.initiative, .piloting, note: "pilot in Utrecht")
            let progress = svb.logProgress(create.initiative, ProgressEntry(date: "2026-11-29", text: "Eerste run"))

            let first = try store.apply([adoption, progress])
            #expect(first.held == [adoption.id: .initiative(create.initiative), progress.id: .initiative(create.initiative)])
            #expect(try store.counts() == StoreCounts(initiatives: 0, ops: 2, held: 2, rejected: 0))
            #expect(try store.initiative(create.initiative) == nil)
            #expect(try store.versionVector()[svb.id] == 2)

            let second = try store.apply([create])
            #expect(Set(second.accepted.map(\.id)) == [create.id, adoption.id, progress.id])
            #expect(second.held.isEmpty)
            #expect(try store.counts() == StoreCounts(initiatives: 1, ops: 3, held: 0, rejected: 0))
            let record = try #require(try store.initiative(create.initiative))
            #expect(record.initiative.adoptionStatuses == [svb.organisation: .piloting])
            #expect(record.initiative.progress.map(\.entry.text) == ["Eerste run"])
            #expect(record.history.allSatisfy { $0.status == .accepted })
            #expect(try store.initiatives(matching: InitiativeQuery(adoptedBy: svb.organisation)).map(\.id) == [create.initiative])

            var replica = Replica()
            replica.apply([adoption, progress])
            replica.apply([create])
            #expect(try store.digest() == replica.digest)
        }
    }

    @Test func heldOpsAreReleasedAfterABatchThatReleasedThemRolledBack() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            var svb = Fixtures.node("svb-1", "svb", at: 1_764_400_000_500)
            let create = uwv.create(InitiativeDraft(title: "Sluisbeheer op afstand"))
            let other = uwv.create(InitiativeDraft(title: "Sensoren in bruggen"))
            svb.receive([create, other])
            let adoption = svb.adopt(create.initiative, .piloting)
            let endorsement = svb.endorse(other.initiative)
            // Held across batches: the second batch starts from the keys the
            // first one left in memory.
            try store.apply([adoption])
            try store.apply([endorsement])
            #expect(try store.counts().held == 2)
            // This batch releases the adoption, then fails: the keys it
            // removed must not be what the next batch starts from.
            #expect(throws: (any Error).self) { try store.apply([create], faultAfterDecisions: 1) }
            #expect(try store.counts().held == 2)
            let released = try store.apply([create])
            #expect(released.accepted.map(\.id) == [create.id, adoption.id])
            let last = try store.apply([other])
            #expect(last.accepted.map(\.id) == [other.id, endorsement.id])
            #expect(try store.counts() == StoreCounts(initiatives: 2, ops: 4, held: 0, rejected: 0))
        }
    }

    @Test func progressHeldForAnAdoptionFromAnotherNodeOfTheSameOrganisation() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            var svbOne = Fixtures.node("svb-1", "svb", at: 1_764_400_000_300)
            var svbTwo = Fixtures.node("svb-2", "svb", at: 1_764_400_000_600)
            let create = uwv.create(InitiativeDraft(title: "Inkoop met AI"))
            svbOne.receive([create])
            let adoption = svbOne.adopt(create.initiative, .adopted)
            svbTwo.receive([create, adoption])
            let progress = svbTwo.logProgress(create.initiative, ProgressEntry(date: "2026-11-30", text: "Live"))
            guard case .addProgress(_, adoption: adoption.id?) = progress.mutation else {
                Issue.record("progress does not name the adoption")
                return
            }
            try store.apply([create])
            let first = try store.apply([progress])
            #expect(first.held == [progress.id: .op(adoption.id)])
            let history = try #require(try store.initiative(create.initiative)).history
            #expect(history.first { $0.op == progress }?.status == .held(.op(adoption.id)))
            let second = try store.apply([adoption])
            #expect(second.accepted.map(\.id) == [adoption.id, progress.id])
            #expect(try store.counts().held == 0)
            #expect(try store.initiative(create.initiative)?.initiative.progress.count == 1)
        }
    }

    @Test func aGapInTheMiddleOfABatchLeavesNothingApplied() throws {
        try withStore { store, _ in
            let ops = Fixtures.simpleHistory(count: 10)
            try store.apply(Array(ops[0..<4]))
            let vector = try store.versionVector()
            let digest = try store.digest()
            let counts = try store.counts()
            // ops[4..<8] are fine; then seq 10 skips seq 9.
            let batch = Array(ops[4..<8]) + [ops[9]]
            let error = try #require(throws: StoreError.self) { try store.apply(batch) }
            #expect(error == .gap(origin: Fixtures.nodeID("uwv-1"), expected: 9, got: 10))
            #expect(error.description.contains("expected seq 9, got 10"))
            #expect(try store.versionVector() == vector)
            #expect(try store.digest() == digest)
            #expect(try store.counts() == counts)
            // A gap at the very start of a log is refused too.
            let other = Fixtures.simpleHistory(count: 2, node: "svb-1", organisation: "svb")
            #expect(throws: StoreError.gap(origin: Fixtures.nodeID("svb-1"), expected: 1, got: 2)) {
                try store.apply([other[1]])
            }
            // The same ops without the gap apply.
            try store.apply(Array(ops[4...]))
            #expect(try store.counts() == StoreCounts(initiatives: 10, ops: 20, held: 0, rejected: 0))
        }
    }

    @Test func aBatchThatFailsAfterWritingLeavesNothingApplied() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            var svb = Fixtures.node("svb-1", "svb", at: 1_764_400_000_500)
            let first = uwv.create(InitiativeDraft(title: "Eerste", themes: ["ai"]))
            try store.apply([first])
            svb.receive([first])
            let heldAdoption = svb.adopt(first.initiative, .exploring)
            let digest = try store.digest()
            let vector = try store.versionVector()
            let counts = try store.counts()
            let batch = [
                uwv.setText(first.initiative, .title, "Gewijzigd"),
                uwv.create(InitiativeDraft(title: "Tweede", themes: ["mpc"])),
                heldAdoption,
                svb.endorse(first.initiative),
            ]
            for faultAfter in 0..<batch.count {
                #expect(throws: (any Error).self) {
                    try store.apply(batch, faultAfterDecisions: faultAfter)
                }
                #expect(try store.digest() == digest)
                #expect(try store.versionVector() == vector)
                #expect(try store.counts() == counts)
                #expect(try store.initiatives(matching: InitiativeQuery(text: "Gewijzigd")).isEmpty)
                #expect(try store.initiatives(matching: InitiativeQuery(theme: "mpc")).isEmpty)
            }
            let outcome = try store.apply(batch)
            #expect(outcome.accepted.count == 4)
            #expect(try store.initiatives(matching: InitiativeQuery(text: "Gewijzigd")).map(\.id) == [first.initiative])
            try store.checkSearchIndex()
        }
    }

    @Test func aFullDiskFailsTheBatchWithAClearErrorAndAppliesNothing() throws {
        try withStore { store, directory in
            var uwv = Fixtures.node("uwv-1", "uwv")
            try store.apply([uwv.create(InitiativeDraft(title: "Eerste", themes: ["ai"]))])
            let digest = try store.digest()
            let vector = try store.versionVector()
            let portfolio = Set(try store.portfolio())
            // A batch far larger than the room left: SQLite's page limit on
            // the writer stands in for a full disk (the same SQLITE_FULL).
            let pages = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
            try store.executeUnchecked("PRAGMA max_page_count = \(pages + 2)")
            let long = String(repeating: "Een lange beschrijving die de schijf vult. ", count: 400)
            let batch = (0..<200).map { uwv.create(InitiativeDraft(title: "Groot \($0)", description: long)) }
            #expect {
                try store.apply(batch)
            } throws: { error in
                guard case let .io(path, reason) = error as? StoreError else { return false }
                return path == directory.storePath && reason.contains("full")
            }
            #expect(try store.digest() == digest)
            #expect(try store.versionVector() == vector)
            #expect(Set(try store.portfolio()) == portfolio)
            #expect(try store.initiatives(matching: InitiativeQuery(text: "Groot")).isEmpty)

            // With room again, the same batch applies.
            try store.executeUnchecked("PRAGMA max_page_count = 1073741823")
            #expect(try store.apply(batch).accepted.count == batch.count)
            #expect(try store.initiatives(matching: InitiativeQuery(text: "Groot", limit: 500)).count == batch.count)
            try store.checkSearchIndex()
        }
    }
}
