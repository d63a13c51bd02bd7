import KiemCore
@testable import KiemNode
import KiemStore
import KiemTestSupport
import KiemTransport
import Testing

/// The ingest planner as a value: a batch and what the replica knows in,
/// decisions out; no store, no socket.
@Suite("ingest planner")
struct IngestPlannerTests {
    /// Signed logs of three origins, with their identities.
    struct Origins {
        var logs: [NodeID: [EncodedOp]] = [:]
        var identities: [NodeID: OriginIdentity] = [:]
        var keys: [NodeID: OriginSigningKey] = [:]

        /// `count` ops per origin: creations, edits and cross-origin
        /// adoptions, every op signed (as a node signs after each write).
        init(count: Int, pki: TestPKI = try! TestPKI()) throws {
            var nodes = [SimulatedNode("uwv-1", organisation: "uwv"), SimulatedNode("svb-1", organisation: "svb"),
                         SimulatedNode("rws-1", organisation: "rws")]
            var created: [InitiativeID] = []
            var raw: [NodeID: [Op]] = [:]
            for step in 0..<count {
                for index in nodes.indices {
                    let op: Op
                    if step % 3 == 0 || created.isEmpty {
                        op = nodes[index].create(InitiativeDraft(title: "Initiatief \(step)-\(index)", themes: ["ai"]))
                        created.append(op.initiative)
                    } else if step % 3 == 1 {
                        op = nodes[index].adopt(created[(step * 7 + index) % created.count], .exploring)
                    } else {
                        op = nodes[index].setText(created[(step * 5 + index) % created.count], .summary, "Stand \(step)")
                    }
                    raw[nodes[index].id, default: []].append(op)
                }
            }
            for node in nodes {
                let identity = try pki.node(node.organisation.rawValue, node.id.rawValue)
                let key = try OriginSigningKey(identity.privateKey)
                var writer = OriginChainWriter(origin: node.id, key: key)
                logs[node.id] = try raw[node.id]!.map { op in
                    let signed = try writer.prove(op)
                    return EncodedOp(op, proof: signed.proof)
                }
                identities[node.id] = OriginIdentity(node: node.id, organisation: node.organisation, key: key.publicKey)
                keys[node.id] = key
            }
        }

        func identity(_ node: NodeID) -> OriginIdentity? { identities[node] }
    }

    static let wall: UInt64 = 1_764_400_000_000 + 60_000
    static func fresh() -> IngestPlanner {
        IngestPlanner(heads: [:], vector: VersionVector(), quarantined: [], clock: HybridLogicalClock())
    }
    static func unsigned(_ encoded: EncodedOp) -> EncodedOp {
        EncodedOp(encoded.op, proof: OpProof(chain: encoded.proof!.chain, signature: nil))
    }

    let origins: Origins
    let uwv = try! NodeID("uwv-1")
    let svb = try! NodeID("svb-1")

    init() throws {
        origins = try Origins(count: 6)
    }

    @Test("sort drops quarantined origins and splits held from fresh ops; chains are read per origin over the held seqs")
    func sort() {
        var planner = Self.fresh()
        planner.vector = VersionVector([uwv: 3, svb: 1])
        planner.quarantined = [try! NodeID("rws-1")]
        let batch = Array(origins.logs[uwv]![1..<5]) + Array(origins.logs[svb]![0..<2]) + Array(origins.logs[try! NodeID("rws-1")]![0..<2])
        let sorted = planner.sort(batch)
        #expect(sorted.ops.count == 6)
        #expect(sorted.held.map(\.op.id.description) == ["uwv-1:2", "uwv-1:3", "svb-1:1"])
        #expect(sorted.fresh.map(\.op.id.description) == ["uwv-1:4", "uwv-1:5", "svb-1:2"])
        #expect(sorted.chainsNeeded.map { "\($0.origin):\($0.seqs)" } == ["uwv-1:2...3", "svb-1:1...1"])
    }

    @Test("a held op with the stored chain is a duplicate; one with another chain is the conflict")
    func conflicts() {
        let held = Array(origins.logs[uwv]![0..<3])
        var stored: [NodeID: [UInt64: [UInt8]]] = [uwv: [:]]
        for encoded in held { stored[uwv]![encoded.op.id.seq] = encoded.proof!.chain }
        #expect(IngestPlanner.firstConflict(in: held, stored: stored) == nil)
        stored[uwv]![2] = [UInt8](repeating: 1, count: 32)
        #expect(IngestPlanner.firstConflict(in: held, stored: stored)?.op.id.seq == 2)
        #expect(IngestPlanner.run(from: held[1], in: held).map(\.op.id.seq) == [2, 3])
    }

    @Test("verify: runs that continue their heads advance them; the planner changes only on commit")
    func verifyHonest() throws {
        var planner = Self.fresh()
        let batch = Array(origins.logs[uwv]![0..<4]).enumerated().map { $0 == 3 ? $1 : Self.unsigned($1) } + [origins.logs[svb]![0]]
        let (heads, clock) = try planner.verify(batch, identity: origins.identity, wallMillis: Self.wall)
        #expect(heads[uwv]?.seq == 4 && heads[svb]?.seq == 1)
        #expect(planner.heads.isEmpty, "not committed yet")
        planner.commit(batch, heads: heads, clock: clock)
        #expect(planner.vector == VersionVector([uwv: 4, svb: 1]))
        #expect(planner.heads[uwv] == OriginChainState(seq: 4, chain: batch[3].proof!.chain))
    }

    @Test("verify refuses the whole batch: a gap, an unknown origin, an altered chain, an unsigned run end, a clock too far ahead")
    func verifyRefusals() throws {
        let planner = Self.fresh()
        let log = origins.logs[uwv]!
        let good = origins.logs[svb]![0]
        func refusal(_ batch: [EncodedOp], wall: UInt64 = Self.wall, identity: (NodeID) -> OriginIdentity? = origins.identity) -> IngestError? {
            do {
                _ = try planner.verify(batch, identity: identity, wallMillis: wall)
                return nil
            } catch {
                return error
            }
        }
        guard case .gap(uwv, 1, 2)? = refusal([good, log[1]]) else { Issue.record("gap"); return }
        guard case .integrity(.unknownOrigin)? = refusal([log[0]], identity: { _ in nil }) else { Issue.record("unknown"); return }
        let altered = EncodedOp(log[1].op, proof: OpProof(chain: [UInt8](repeating: 7, count: 32), signature: log[1].proof!.signature))
        guard case .integrity(.brokenLink)? = refusal([log[0], altered]) else { Issue.record("altered"); return }
        guard case .integrity(.unsigned)? = refusal([log[0], Self.unsigned(log[1])]) else { Issue.record("unsigned"); return }
        guard case .clock? = refusal([log[0]], wall: 1_000) else { Issue.record("clock"); return }
        #expect(planner.heads.isEmpty)
    }

    /// Nodes built on the two planners: each holds a log per origin, takes
    /// batches in with the ingest planner and hands them out with the send
    /// planner.
    struct SimulatedReplica {
        var planner = IngestPlannerTests.fresh()
        var stored: [EncodedOp] = []
        var replica = Replica()

        /// What this node would send a peer holding `known`, as planned
        /// batches within `limits`.
        func batches(for known: VersionVector, limits: BatchLimits) throws -> [[EncodedOp]] {
            var missing = stored.filter { !known.contains($0.op.id) }
            missing.sort { ($0.op.origin.rawValue, $0.op.id.seq) < ($1.op.origin.rawValue, $1.op.id.seq) }
            let byID = Dictionary(uniqueKeysWithValues: missing.map { ($0.op.id, $0) })
            var send = SendPlanner(limits: limits)
            send.add(missing.map { MissingOpsCursor.StoredOp(id: $0.op.id, canonical: $0.canonical, chain: $0.proof?.chain,
                                                            signature: $0.proof?.signature) })
            send.finishInput()
            var result: [[EncodedOp]] = []
            while case let .send(batch) = try send.next(certificate: { _ in nil }) {
                result.append(batch.ops.map { item in
                    let encoded = byID[item.op.id]!
                    return EncodedOp(encoded.op, proof: OpProof(chain: encoded.proof!.chain, signature: item.signed ? encoded.proof!.signature : nil))
                })
            }
            return result
        }

        /// Takes a batch in as OpLog does; a refused batch changes nothing.
        mutating func receive(_ batch: [EncodedOp], identity: (NodeID) -> OriginIdentity?) -> Bool {
            let sorted = planner.sort(batch)
            var chains: [NodeID: [UInt64: [UInt8]]] = [:]
            for encoded in stored { chains[encoded.op.origin, default: [:]][encoded.op.id.seq] = encoded.proof!.chain }
            guard IngestPlanner.firstConflict(in: sorted.held, stored: chains) == nil else { return false }
            guard let (heads, clock) = try? planner.verify(sorted.fresh, identity: identity, wallMillis: IngestPlannerTests.wall)
            else { return false }
            stored += sorted.fresh
            _ = replica.apply(sorted.fresh.map(\.op))
            planner.commit(sorted.fresh, heads: heads, clock: clock)
            return true
        }

        /// A restart: the planner is rebuilt from what was stored.
        mutating func restart() {
            var planner = IngestPlannerTests.fresh()
            for encoded in stored {
                let current = planner.heads[encoded.op.origin] ?? OriginChainState()
                if encoded.op.id.seq > current.seq {
                    planner.heads[encoded.op.origin] = OriginChainState(seq: encoded.op.id.seq, chain: encoded.proof!.chain)
                }
                planner.vector.advance(encoded.op.origin, to: encoded.op.id.seq)
            }
            self.planner = planner
        }
    }

    @Test("random deliveries, duplicates, reorderings, small frames and restarts across five nodes built on the planners converge to one digest")
    func convergence() throws {
        let origins = try Origins(count: 9)
        let all = origins.logs.values.flatMap { $0 }
        var expected = Replica()
        _ = expected.apply(all.map(\.op))
        for seed in UInt64(1)...25 {
            var random = SeededGenerator(seed: seed)
            var nodes = [SimulatedReplica](repeating: SimulatedReplica(), count: 5)
            // The origins' own nodes hold their logs from the start.
            for (index, node) in origins.logs.keys.sorted().enumerated() {
                nodes[index].stored = origins.logs[node]!
                _ = nodes[index].replica.apply(origins.logs[node]!.map(\.op))
                nodes[index].restart()
            }
            for _ in 0..<60 {
                let from = Int.random(in: 0..<5, using: &random)
                let to = Int.random(in: 0..<5, using: &random)
                guard from != to else { continue }
                // The sender believes the receiver holds what it held a while
                // ago, or nothing: duplicates arrive.
                let known = Bool.random(using: &random) ? nodes[to].planner.vector : VersionVector()
                let limits = BatchLimits(maxMessageBytes: Int.random(in: 16_384...65_536, using: &random),
                                         targetBytes: Int.random(in: 500...20_000, using: &random))
                var batches = try nodes[from].batches(for: known, limits: limits)
                if Int.random(in: 0..<4, using: &random) == 0 { batches.shuffle(using: &random) }
                for batch in batches where Int.random(in: 0..<5, using: &random) > 0 {
                    let before = nodes[to].planner.vector
                    if !nodes[to].receive(batch, identity: origins.identity) {
                        #expect(nodes[to].planner.vector == before, "a refused batch changes nothing")
                    }
                }
                if Int.random(in: 0..<10, using: &random) == 0 { nodes[to].restart() }
            }
            // Then every node pulls from every other until nothing is missing.
            for _ in 0..<2 {
                for to in 0..<5 {
                    for from in 0..<5 where from != to {
                        for batch in try nodes[from].batches(for: nodes[to].planner.vector, limits: BatchLimits(maxMessageBytes: 4 << 20)) {
                            let accepted = nodes[to].receive(batch, identity: origins.identity)
                            #expect(accepted, "seed \(seed)")
                        }
                    }
                }
            }
            for node in nodes {
                #expect(node.replica.digest == expected.digest, "seed \(seed)")
                #expect(node.planner.vector == expected.versionVector, "seed \(seed)")
            }
        }
    }
}
