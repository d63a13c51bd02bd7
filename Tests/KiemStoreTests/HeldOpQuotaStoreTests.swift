import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// The store's held-op quota: a batch that would take an origin past it is
/// cut at the first held op beyond it, in the same transaction, and the
/// origin's log continues from there once its held ops are released.
@Suite struct HeldOpQuotaStoreTests {
    /// uwv-1 creates `count` initiatives; sz-1 adopts each of them.
    static func history(count: Int) -> (creates: [EncodedOp], adoptions: [EncodedOp]) {
        var uwv = Fixtures.node("uwv-1", "uwv")
        var sz = Fixtures.node("sz-1", "sz", at: 1_764_400_100_000)
        let creates = (0..<count).map { uwv.create(InitiativeDraft(title: "Initiatief \($0)")) }
        let adoptions = creates.map { sz.adopt($0.initiative, .exploring) }
        return (creates.map { EncodedOp($0) }, adoptions.map { EncodedOp($0) })
    }

    @Test func cutsAtTheQuotaAndContinuesOnceReleased() throws {
        try withTemporaryDirectory { directory in
            let (creates, adoptions) = Self.history(count: 6)
            let sz = Fixtures.nodeID("sz-1")
            let quota = HeldOpQuota(perOrigin: 3)
            let store = try KiemStore.open(path: directory.storePath)
            defer { try? store.close() }

            let first = try store.apply(adoptions, quota: quota)
            #expect(first.deferred == [sz: 4])
            #expect(first.held.count == 3)
            #expect(try store.heldOpCount(of: sz) == 3)
            #expect(try store.versionVector()[sz] == 3, "the origin's log ends where it was cut")

            let again = try store.apply(Array(adoptions[3...]), quota: quota)
            #expect(again.deferred == [sz: 4])
            #expect(again.isEmpty, "at its quota, nothing more of the origin is taken")
            #expect(try store.versionVector()[sz] == 3)

            let released = try store.apply(creates, quota: quota)
            #expect(released.deferred.isEmpty)
            #expect(released.accepted.count == 6 + 3, "the creations and the three adoptions they released")
            #expect(try store.heldOpCount(of: sz) == 0)

            let rest = try store.apply(Array(adoptions[3...]), quota: quota)
            #expect(rest.accepted.count == 3)

            let reference = try KiemStore.open(path: directory.path("reference.sqlite"))
            defer { try? reference.close() }
            try reference.apply(creates + adoptions)
            #expect(try store.digest() == reference.digest())
            #expect(try store.versionVector() == reference.versionVector())
        }
    }

    @Test func opsReleasedWithinTheBatchDoNotCount() throws {
        try withTemporaryDirectory { directory in
            let (creates, adoptions) = Self.history(count: 6)
            let store = try KiemStore.open(path: directory.storePath)
            defer { try? store.close() }
            let outcome = try store.apply(adoptions + creates, quota: HeldOpQuota(perOrigin: 1))
            #expect(outcome.deferred.isEmpty)
            #expect(outcome.accepted.count == 12)
            #expect(outcome.held.isEmpty)
        }
    }

    @Test func aCutBatchLeavesOtherOriginsWhole() throws {
        try withTemporaryDirectory { directory in
            let adoptions = Self.history(count: 4).adoptions
            var rws = Fixtures.node("rws-1", "rws")
            let others = (0..<3).map { EncodedOp(rws.create(InitiativeDraft(title: "Dijk \($0)"))) }
            let store = try KiemStore.open(path: directory.storePath)
            defer { try? store.close() }
            let outcome = try store.apply(adoptions + others, quota: HeldOpQuota(perOrigin: 2))
            #expect(outcome.deferred == [Fixtures.nodeID("sz-1"): 3])
            #expect(outcome.accepted.count == 3, "rws-1's creations are taken")
            #expect(try store.versionVector()[Fixtures.nodeID("rws-1")] == 3)
        }
    }
}
