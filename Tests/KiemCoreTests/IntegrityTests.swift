import Crypto
import _CryptoExtras
import KiemCore
import KiemTestSupport
import Testing

@Suite struct IntegrityTests {
    let uwvKey = OriginSigningKey.p256(P256.Signing.PrivateKey())
    let strangerKey = OriginSigningKey.p256(P256.Signing.PrivateKey())

    /// `count` ops written by uwv-1, each signed.
    func signedOps(_ count: Int, key: OriginSigningKey? = nil) throws -> [SignedOp] {
        var node = SimulatedNode("uwv-1", organisation: "uwv")
        let create = node.create(InitiativeDraft(title: "Robotica in de sluis", themes: ["robotica"]))
        var ops = [create]
        for index in 1..<count {
            ops.append(node.logProgress(create.initiative, ProgressEntry(date: "2026-11-29", text: "stap \(index)")))
        }
        var writer = OriginChainWriter(origin: node.id, key: key ?? uwvKey)
        return try ops.map { try writer.prove($0) }
    }

    var identity: OriginIdentity {
        OriginIdentity(node: try! NodeID("uwv-1"), organisation: try! OrganisationID("uwv"), key: uwvKey.publicKey)
    }

    @Test func anHonestChainVerifies() throws {
        let ops = try signedOps(20)
        let state = try ChainVerifier.verifyRun(ops, after: OriginChainState(), identity: identity)
        #expect(state.seq == 20)
        #expect(state.chain == ops.last!.proof.chain)
        let continued = try ChainVerifier.verifyRun(Array(ops[10...]), after: OriginChainState(seq: 10, chain: ops[9].proof.chain), identity: identity)
        #expect(continued == state)
    }

    @Test func onlyTheLastSignatureOfARunIsNeeded() throws {
        let ops = try signedOps(50)
        let stripped = ops.enumerated().map { index, signed in
            index == ops.count - 1 ? signed : SignedOp(op: signed.op, proof: OpProof(chain: signed.proof.chain, signature: nil))
        }
        #expect(try ChainVerifier.verifyRun(stripped, after: OriginChainState(), identity: identity).seq == 50)
    }

    @Test func aTamperedHeaderBreaksTheChain() throws {
        var ops = try signedOps(10)
        let original = ops[4].op
        let altered = Op(id: original.id, hlc: HLCTimestamp(rawValue: original.hlc.rawValue + 1), author: original.author,
                         initiative: original.initiative, mutation: original.mutation)
        ops[4] = SignedOp(op: altered, proof: ops[4].proof)
        #expect(throws: IntegrityError.brokenLink(original.id)) {
            try ChainVerifier.verifyRun(ops, after: OriginChainState(), identity: identity)
        }
    }

    @Test func aTamperedPayloadWithARecomputedChainFailsTheSignature() throws {
        var ops = try signedOps(5)
        let original = ops[2].op
        guard case let .addProgress(entry, adoption) = original.mutation else { Issue.record("unexpected op"); return }
        let altered = Op(id: original.id, hlc: original.hlc, author: original.author, initiative: original.initiative,
                         mutation: .addProgress(ProgressEntry(date: entry.date, text: "vervalst"), adoption: adoption))
        ops[2] = SignedOp(op: altered, proof: ops[2].proof)
        // A relay that also recomputes every chain value still cannot sign the head.
        var chain = OpChain.genesis
        ops = ops.map { signed in
            chain = OpChain.link(chain, header: signed.op.headerBytes)
            return SignedOp(op: signed.op, proof: OpProof(chain: chain, signature: signed.proof.signature))
        }
        #expect(throws: IntegrityError.badSignature(ops[4].op.id)) {
            try ChainVerifier.verifyRun(ops, after: OriginChainState(), identity: identity)
        }
    }

    @Test func reorderedOpsAreRefused() throws {
        var ops = try signedOps(6)
        ops.swapAt(2, 3)
        #expect(throws: IntegrityError.gap(origin: identity.node, expected: 3, got: 4)) {
            try ChainVerifier.verifyRun(ops, after: OriginChainState(), identity: identity)
        }
    }

    @Test func aTruncatedRunWithoutItsSignatureIsRefused() throws {
        let ops = try signedOps(6)
        let cut = Array(ops.prefix(4)).map { SignedOp(op: $0.op, proof: OpProof(chain: $0.proof.chain, signature: nil)) }
        #expect(throws: IntegrityError.unsigned(ops[3].op.id)) {
            try ChainVerifier.verifyRun(cut, after: OriginChainState(), identity: identity)
        }
        // Dropping ops from the start cannot be hidden either.
        #expect(throws: IntegrityError.gap(origin: identity.node, expected: 1, got: 2)) {
            try ChainVerifier.verifyRun(Array(ops.dropFirst()), after: OriginChainState(), identity: identity)
        }
    }

    @Test func aForgedChainSignedByAnotherKeyIsRefused() throws {
        let forged = try signedOps(3, key: strangerKey)
        #expect(throws: IntegrityError.badSignature(forged[2].op.id)) {
            try ChainVerifier.verifyRun(forged, after: OriginChainState(), identity: identity)
        }
    }

    @Test func anOpClaimingAnotherAuthorIsRefused() throws {
        let ops = try signedOps(2)
        let svbIdentity = OriginIdentity(node: identity.node, organisation: try OrganisationID("svb"), key: identity.key)
        #expect(throws: IntegrityError.wrongAuthor(ops[0].op.id, claimed: try OrganisationID("uwv"), expected: try OrganisationID("svb"))) {
            try ChainVerifier.verifyRun(ops, after: OriginChainState(), identity: svbIdentity)
        }
    }

    @Test func aBatchNeedsACertificateForEveryOrigin() throws {
        let ops = try signedOps(2)
        #expect(throws: IntegrityError.unknownOrigin(identity.node)) {
            try ChainVerifier.verify(ops, states: [:]) { _ in nil }
        }
        let states = try ChainVerifier.verify(ops, states: [:]) { _ in identity }
        #expect(states[identity.node]?.seq == 2)
    }

    @Test func equivocationIsDetected() throws {
        let honest = try signedOps(3)
        var other = SimulatedNode("uwv-1", organisation: "uwv")
        let rival = other.create(InitiativeDraft(title: "Iets anders"))
        var writer = OriginChainWriter(origin: rival.origin, key: uwvKey)
        let rivalSigned = try writer.prove(rival)
        let evidence = try #require(Equivocation.detect(honest[0], rivalSigned, identity: identity))
        #expect(evidence.seq == 1)
        #expect(Equivocation.detect(honest[0], honest[0], identity: identity) == nil)
        let unsignedRival = SignedOp(op: rival, proof: OpProof(chain: rivalSigned.proof.chain, signature: nil))
        #expect(Equivocation.detect(honest[0], unsignedRival, identity: identity) == nil)
    }

    @Test func rsaKeysSignAndVerifyToo() throws {
        let rsa = OriginSigningKey.rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        let ops = try signedOps(3, key: rsa)
        let rsaIdentity = OriginIdentity(node: identity.node, organisation: identity.organisation, key: rsa.publicKey)
        #expect(try ChainVerifier.verifyRun(ops, after: OriginChainState(), identity: rsaIdentity).seq == 3)
    }
}

extension IntegrityTests {
    /// A catch-up batch is vouched for by one signature: a 10,000-op run
    /// whose ops carry no signature but the last one verifies.
    @Test func aLongRunNeedsOneSignature() throws {
        var node = SimulatedNode("uwv-1", organisation: "uwv")
        let create = node.create(InitiativeDraft(title: "Groot"))
        var chain = OpChain.genesis
        var run: [SignedOp] = []
        var op = create
        for index in 0..<10_000 {
            if index > 0 { op = node.write(create.initiative, .addElement(.links, "https://example.org/\(index)")) }
            chain = OpChain.link(chain, header: op.headerBytes)
            run.append(SignedOp(op: op, proof: OpProof(chain: chain, signature: nil)))
        }
        let head = SignedHead(origin: op.origin, seq: op.id.seq, chain: chain)
        run[run.count - 1] = SignedOp(op: op, proof: OpProof(chain: chain, signature: try uwvKey.signature(for: head.message)))
        #expect(try ChainVerifier.verifyRun(run, after: OriginChainState(), identity: identity).seq == 10_000)
    }
}
