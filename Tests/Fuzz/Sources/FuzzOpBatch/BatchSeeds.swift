import Crypto
import KiemCore
@testable import KiemNode
import KiemProtocol
import KiemStore
import SwiftProtobuf

/// Seeds: batches of real signed ops (every kind of mutation) of two known
/// origins, as a peer sends them, plus ones each step of the ingest path
/// refuses.
enum BatchSeeds {
    /// An origin the fuzzed replica knows, with its signing key.
    struct Origin {
        let node: NodeID
        let organisation: OrganisationID
        let key: OriginSigningKey

        init(_ node: String, _ organisation: String, keyByte: UInt8) {
            self.node = try! NodeID(node)
            self.organisation = try! OrganisationID(organisation)
            // A fixed key, so the corpus stays valid from run to run.
            self.key = .p256(try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: keyByte, count: 32)))
        }

        var identity: OriginIdentity { OriginIdentity(node: node, organisation: organisation, key: key.publicKey) }
    }

    static let wallMillis: UInt64 = 1_764_400_000_000
    static let origins = [Origin("uwv-1", "uwv", keyByte: 0x11), Origin("svb-1", "svb", keyByte: 0x22)]
    static let identities = Dictionary(uniqueKeysWithValues: origins.map { ($0.node, $0.identity) })

    /// The identity of a known origin.
    static func identity(_ node: NodeID) -> OriginIdentity? { identities[node] }

    /// One op of each kind of mutation by `origin`, seq 1 to 10.
    static func ops(of origin: Origin) -> [Op] {
        let created = HLCTimestamp(wallMillis: wallMillis - 60_000, logical: 0)
        let initiative = InitiativeID(timestamp: created, node: origin.node)
        func id(_ seq: UInt64) -> OpID { OpID(origin: origin.node, seq: seq) }
        let mutations: [Mutation] = [
            .create(InitiativeDraft(title: "Robotica in de buitendienst", summary: "Inspectie met drones",
                                    description: "Een proef.", phase: PhaseValue(.experiment), contact: "team@example.nl",
                                    funding: "eigen budget", themes: ["robotica", "ai"], links: ["https://example.nl/robotica"])),
            .setText(.summary, "Inspectie van bruggen met drones", supersedes: [id(1)]),
            .setPhase(PhaseValue(.stopped, lessonsLearned: "te duur"), supersedes: [id(1)]),
            .addElement(.themes, "inspectie"),
            .removeElement(.themes, "ai", tags: [id(1)]),
            .setAdoption(Adoption(status: .piloting, note: "bij twee districten"), supersedes: []),
            .setEndorsement(Endorsement(endorsed: true, note: "aanbevolen"), supersedes: []),
            .addProgress(ProgressEntry(date: "2026-11-20", text: "eerste vlucht", metrics: ["bruggen": 3]), adoption: id(6)),
            .setArchived(true, supersedes: []),
            .setAnnotation(Annotation(label: "werkagenda-2027", priority: .high, note: "volgen"), supersedes: []),
        ]
        return mutations.enumerated().map { index, mutation in
            Op(id: id(UInt64(index + 1)), hlc: HLCTimestamp(wallMillis: wallMillis - 60_000 + UInt64(index), logical: 0),
               author: origin.organisation, initiative: initiative, mutation: mutation)
        }
    }

    /// `ops` with their chain, signed after each seq in `signedAt` and at the end.
    static func proved(_ ops: [Op], of origin: Origin, signedAt: Set<UInt64> = []) throws -> [EncodedOp] {
        var chain = OpChain.genesis
        return try ops.map { op in
            chain = OpChain.link(chain, header: op.headerBytes)
            let sign = signedAt.contains(op.id.seq) || op.id == ops.last?.id
            let signature = sign ? try origin.key.signature(for: SignedHead(origin: origin.node, seq: op.id.seq, chain: chain).message) : nil
            return EncodedOp(op, proof: OpProof(chain: chain, signature: signature))
        }
    }

    static func batch(_ ops: [EncodedOp]) throws -> [UInt8] {
        var message = Kiem_V1_OpBatch()
        message.ops = ops.map(WireOps.proto)
        return try message.serializedBytes()
    }

    static func all() throws -> [(name: String, bytes: [UInt8])] {
        let uwv = origins[0], svb = origins[1]
        let uwvOps = try proved(ops(of: uwv), of: uwv, signedAt: [4])
        let svbOps = try proved(Array(ops(of: svb).prefix(3)), of: svb)
        let stranger = Origin("rws-1", "rws", keyByte: 0x33)
        var seeds: [(name: String, bytes: [UInt8])] = [
            ("one-origin-every-mutation", try batch(uwvOps)),
            ("two-origins", try batch(Array(uwvOps.prefix(4)) + svbOps)),
            ("single-create", try batch(try proved([ops(of: svb)[0]], of: svb))),
            // Refused: a run not signed at its end, a gap, an unknown origin.
            ("unsigned-end", try batch(Array(uwvOps.prefix(3)))),
            ("gap", try batch(Array(uwvOps.dropFirst(4)))),
            ("unknown-origin", try batch(try proved(Array(ops(of: stranger).prefix(2)), of: stranger))),
        ]
        seeds.append(("empty", []))
        // The valid seeds must pass, or the corpus starts nowhere.
        for (name, bytes) in seeds.prefix(3) {
            let ops = try ReceivedBatch(Kiem_V1_OpBatch(serializedBytes: bytes), receivedMillis: wallMillis).ops.get()
            let planner = IngestPlanner(heads: [:], vector: VersionVector(), quarantined: [:], clock: HybridLogicalClock())
            _ = try planner.verify(ops, identity: identity, wallMillis: wallMillis)
            print("seed \(name): \(ops.count) ops verify")
        }
        return seeds
    }
}
