import Crypto
import KiemCore
import KiemStore
import KiemTestSupport
import Testing

/// The store keeps one proof of equivocation per origin, the lowest seq's,
/// with both signed runs byte for byte, and quarantines the origin from that
/// seq: what it then holds is what a replica that never saw either side holds.
@Suite("proofs of equivocation")
struct EquivocationTests {
    @Test("signedRun reads an origin's ops from a seq to its first signed one; the lowest seq's proof is kept, survives a reopen and names where the origin's log ends")
    func keepsTheLowestProof() throws {
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

            let atNine = EquivocationRecord(
                origin: node, seq: 9, previousChain: history[7].proof!.chain, held: try store.signedRun(of: node, from: 9),
                offered: Array(history[4...7]), detectedMillis: 1_796_126_400_000)
            #expect(try store.quarantine(atNine))
            #expect(try !store.quarantine(atNine), "the same proof twice changes nothing")
            #expect(try store.versionVector()[node] == 8)
            let atTwo = EquivocationRecord(
                origin: node, seq: 2, previousChain: history[0].proof!.chain, held: run, offered: Array(history[4...7]),
                detectedMillis: 1_796_126_500_000)
            #expect(try store.quarantine(atTwo), "a proof at a lower seq replaces it")
            #expect(try !store.quarantine(atNine), "a proof at a higher seq does not")
            #expect(try store.equivocations() == [atTwo])
            #expect(try store.versionVector()[node] == 1)
            try store.close()

            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            #expect(try reopened.equivocations() == [atTwo])
            #expect(try reopened.quarantinedOrigins() == [node: OriginChainState(seq: 1, chain: history[0].proof!.chain)])
        }
    }

    @Test("quarantine removes the origin's ops from the proof's seq and decides every op again: the store then equals one that never held them, digest, counts, held ops and search alike")
    func quarantineRollsBack() throws {
        var uwv = SimulatedNode("uwv-1", organisation: "uwv")
        var svb = SimulatedNode("svb-1", organisation: "svb")
        let first = uwv.create(InitiativeDraft(title: "Robotisering bezwaar", themes: ["ai"]))
        uwv.setText(first.initiative, .summary, "Eerste stand")
        // From seq 3 on uwv-1 equivocates: this side creates a second
        // initiative, which svb-1 builds on.
        let second = uwv.create(InitiativeDraft(title: "Fraudedetectie met MPC", themes: ["mpc"]))
        uwv.setText(second.initiative, .summary, "Tweede stand")
        uwv.setPhase(second.initiative, PhaseValue(.experiment))
        svb.receive(uwv.replica.receivedOps)
        svb.adopt(second.initiative, .exploring, note: "SVB kijkt mee")
        svb.endorse(first.initiative)
        svb.create(InitiativeDraft(title: "Proactieve AOW", themes: ["ai"]))
        let uwvOps = uwv.replica.receivedOps
        let svbOps = svb.replica.receivedOps.filter { $0.origin == svb.id }

        try withTemporaryDirectory { directory in
            let sawIt = try KiemStore.open(path: directory.path("saw.sqlite"))
            defer { try? sawIt.close() }
            try sawIt.apply(uwvOps + svbOps)
            #expect(try sawIt.counts().held == 0)

            let neverSaw = try KiemStore.open(path: directory.path("never.sqlite"))
            defer { try? neverSaw.close() }
            try neverSaw.apply(Array(uwvOps.prefix(2)) + svbOps)

            let proof = EquivocationRecord(
                origin: uwv.id, seq: 3, previousChain: OpChain.genesis, held: [EncodedOp(uwvOps[2])],
                offered: [EncodedOp(svbOps[0])], detectedMillis: 1_796_126_400_000)
            #expect(try sawIt.digest() != neverSaw.digest())
            #expect(try sawIt.quarantine(proof))

            #expect(try sawIt.versionVector() == neverSaw.versionVector())
            #expect(try sawIt.versionVector()[uwv.id] == 2)
            #expect(try sawIt.digest() == neverSaw.digest())
            #expect(try sawIt.counts() == neverSaw.counts())
            #expect(try sawIt.counts().held == 1, "svb-1's adoption waits for a creation that no longer exists")
            #expect(try sawIt.initiativeState(second.initiative) == nil)
            #expect(try sawIt.initiatives(matching: InitiativeQuery(text: "Fraudedetectie")).isEmpty)
            #expect(try sawIt.initiatives(matching: InitiativeQuery(text: "Robotisering")).count == 1)
            #expect(try sawIt.initiatives(matching: InitiativeQuery(theme: "mpc")).isEmpty)
        }
    }
}
