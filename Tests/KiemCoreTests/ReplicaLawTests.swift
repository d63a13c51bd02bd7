import KiemCore
import KiemTestSupport
import PropertyBased
import Testing

/// The CRDT laws, checked on random federation histories. Each case is a
/// scenario seed; a failure prints it (and the property library's fixed seed)
/// so the case can be replayed.
@Suite struct ReplicaLawTests {
    static let cases = 1000
    static let seeds = Gen.uint64(in: 0...UInt64.max)

    @Test func everyDeliveryOrderReachesTheSameDigest() async {
        await propertyCheck(count: Self.cases, input: Self.seeds) { seed in
            let scenario = RandomScenario(seed: seed)
            var rng = SeededGenerator(seed: seed ^ 0xA5A5)
            var inOrder = Replica()
            inOrder.apply(scenario.ops)
            for _ in 0..<3 {
                var replica = Replica()
                replica.apply(scenario.shuffledDelivery(using: &rng))
                #expect(replica.digest == inOrder.digest, "seed \(seed)")
                #expect(replica.heldCount == inOrder.heldCount, "seed \(seed)")
                #expect(replica.versionVector == inOrder.versionVector, "seed \(seed)")
            }
        }
    }

    @Test func mergeIsCommutative() async {
        await propertyCheck(count: Self.cases, input: Self.seeds) { seed in
            let (a, b, _) = Self.partialReplicas(seed: seed)
            #expect(a.merged(with: b).digest == b.merged(with: a).digest, "seed \(seed)")
        }
    }

    @Test func mergeIsAssociative() async {
        await propertyCheck(count: Self.cases, input: Self.seeds) { seed in
            let (a, b, c) = Self.partialReplicas(seed: seed)
            let left = a.merged(with: b).merged(with: c)
            let right = a.merged(with: b.merged(with: c))
            #expect(left.digest == right.digest, "seed \(seed)")
        }
    }

    @Test func mergeIsIdempotent() async {
        await propertyCheck(count: Self.cases, input: Self.seeds) { seed in
            let (a, b, _) = Self.partialReplicas(seed: seed)
            #expect(a.merged(with: a).digest == a.digest, "seed \(seed)")
            let ab = a.merged(with: b)
            #expect(ab.merged(with: b).digest == ab.digest, "seed \(seed)")
        }
    }

    @Test func noOpThatBreaksARuleIsAccepted() async {
        await propertyCheck(count: Self.cases, input: Self.seeds) { seed in
            let scenario = RandomScenario(seed: seed)
            var rng = SeededGenerator(seed: seed ^ 0x5A5A)
            var replica = Replica()
            replica.apply(scenario.shuffledDelivery(using: &rng))
            for violation in scenario.intendedViolations {
                #expect(replica.status(of: violation) != .accepted, "seed \(seed): \(violation) was accepted")
            }
            let accepted = Dictionary(uniqueKeysWithValues: replica.acceptedOps.map { ($0.id, $0) })
            for op in accepted.values {
                if let broken = RuleOracle.brokenRule(op, accepted: accepted) {
                    Issue.record("seed \(seed): accepted \(op.id) breaks: \(broken)")
                }
            }
        }
    }

    /// Three replicas that each received a random part of a scenario's ops,
    /// in a random order.
    static func partialReplicas(seed: UInt64) -> (Replica, Replica, Replica) {
        let scenario = RandomScenario(seed: seed)
        var rng = SeededGenerator(seed: seed ^ 0x3C3C)
        func part() -> Replica {
            var replica = Replica()
            replica.apply(scenario.shuffledDelivery(using: &rng).filter { _ in Int.random(in: 0..<3, using: &rng) > 0 })
            return replica
        }
        return (part(), part(), part())
    }
}

/// The authorization rules restated independently from ``Rules``, over the
/// final set of accepted ops, as a test oracle.
enum RuleOracle {
    static func brokenRule(_ op: Op, accepted: [OpID: Op]) -> String? {
        let creates = accepted.values.filter { if case .create = $0.mutation { $0.initiative == op.initiative } else { false } }
        guard creates.count == 1, let create = creates.first else { return "initiative has \(creates.count) accepted creates" }
        let owner = create.author
        switch op.mutation {
        case .create:
            return op.initiative == InitiativeID(timestamp: op.hlc, node: op.origin) ? nil : "initiative id mismatch"
        case .setText, .addElement, .removeElement, .setArchived:
            return op.author == owner ? nil : "non-owner edit"
        case let .setPhase(value, _):
            if op.author != owner { return "non-owner phase change" }
            if value.phase == .stopped && (value.lessonsLearned ?? "").isEmpty { return "stopped without lessons" }
            return nil
        case .setAdoption, .setEndorsement:
            return op.author != owner ? nil : "owner adopts or endorses itself"
        case .setAnnotation:
            return nil
        case let .addProgress(_, adoption):
            if op.author == owner { return nil }
            guard let adoption, let adoptionOp = accepted[adoption],
                  case let .setAdoption(entry, _) = adoptionOp.mutation,
                  adoptionOp.author == op.author, adoptionOp.initiative == op.initiative, entry.status != .dropped
            else { return "progress by a non-adopter" }
            return nil
        }
    }
}
