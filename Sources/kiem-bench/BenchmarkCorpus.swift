import KiemCore

/// The ops of a synthetic federation: `count` initiatives spread over four
/// agencies, each about 1 KiB in five ops (create with a long description,
/// summary edit, theme, phase move, and an adoption by another agency or a
/// progress entry). Ops are in write order, so every origin's ops appear in
/// seq order, as sync delivers them.
struct BenchmarkCorpus {
    let ops: [Op]

    private static let agencies = [("uwv", "uwv-1"), ("svb", "svb-1"), ("rws", "rws-1"), ("belastingdienst", "bd-1")]
    private static let themes = ["ai", "mpc", "robotica", "inkoop", "data", "dienstverlening"]
    private static let words = ["burger", "uitvoering", "pilot", "data", "model", "keten", "proces", "zaak",
                                "regeling", "toeslag", "uitkering", "aanvraag", "controle", "sensor", "brug", "sluis"]

    init(initiatives count: Int) {
        var writersByIndex = Self.agencies.map { Writer(organisation: try! OrganisationID($0.0), node: try! NodeID($0.1)) }
        var ops: [Op] = []
        ops.reserveCapacity(count * 5)
        for index in 0..<count {
            let ownerIndex = index % writersByIndex.count
            let create = writersByIndex[ownerIndex].create(Self.draft(index))
            let id = create.initiative
            ops.append(create)
            ops.append(writersByIndex[ownerIndex].write(id, .setText(.summary, Self.sentence(index, words: 24), supersedes: [create.id])))
            ops.append(writersByIndex[ownerIndex].write(id, .addElement(.themes, Self.themes[(index / 7) % Self.themes.count])))
            ops.append(writersByIndex[ownerIndex].write(id, .setPhase(PhaseValue(.pilot), supersedes: [create.id])))
            if index % 2 == 0 {
                let adopterIndex = (ownerIndex + 1) % writersByIndex.count
                ops.append(writersByIndex[adopterIndex].write(id, .setAdoption(Adoption(status: .piloting, note: "Pilot gestart"), supersedes: [])))
            } else {
                ops.append(writersByIndex[ownerIndex].write(id, .addProgress(
                    ProgressEntry(date: "2026-11-29", text: Self.sentence(index + 1, words: 12), metrics: ["doorlooptijd": Double(index % 40)]),
                    adoption: nil)))
            }
        }
        self.ops = ops
    }

    /// The total size of the ops' canonical encodings.
    func canonicalBytes() -> Int { ops.reduce(0) { $0 + $1.canonicalBytes.count } }

    private static func draft(_ index: Int) -> InitiativeDraft {
        InitiativeDraft(
            title: "Initiatief \(index): \(sentence(index, words: 5))",
            summary: sentence(index &* 3, words: 16),
            description: sentence(index &* 7, words: 90),
            contact: "innovatie\(index % 50)@example.nl",
            themes: [themes[index % themes.count]]
        )
    }

    private static func sentence(_ seed: Int, words count: Int) -> String {
        var generator = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            generator ^= generator << 13
            generator ^= generator >> 7
            generator ^= generator << 17
            return words[Int(generator % UInt64(words.count))]
        }.joined(separator: " ")
    }

    /// Writes one node's ops: next seq, next HLC.
    private struct Writer {
        let organisation: OrganisationID
        let node: NodeID
        var clock = HybridLogicalClock()
        var seq: UInt64 = 0
        var wallMillis: UInt64 = 1_764_400_000_000

        mutating func create(_ draft: InitiativeDraft) -> Op {
            wallMillis += 1
            let hlc = clock.tick(wallMillis: wallMillis)
            seq += 1
            return Op(id: OpID(origin: node, seq: seq), hlc: hlc, author: organisation,
                      initiative: InitiativeID(timestamp: hlc, node: node), mutation: .create(draft))
        }

        mutating func write(_ initiative: InitiativeID, _ mutation: Mutation) -> Op {
            seq += 1
            return Op(id: OpID(origin: node, seq: seq), hlc: clock.tick(wallMillis: wallMillis), author: organisation,
                      initiative: initiative, mutation: mutation)
        }
    }
}
