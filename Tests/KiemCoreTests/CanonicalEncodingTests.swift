import KiemCore
import KiemTestSupport
import Testing

@Suite struct CanonicalEncodingTests {
    static func sampleOps() -> [Op] {
        var uwv = SimulatedNode("uwv-1", organisation: "uwv")
        var svb = SimulatedNode("svb-1", organisation: "svb")
        let create = uwv.create(InitiativeDraft(
            title: "Veilig data delen met MPC", summary: "Samen rekenen zonder data te delen",
            description: "Een lange beschrijving ✓", phase: PhaseValue(.pilot), contact: "innovatie@uwv.nl",
            funding: "Regeling", themes: ["mpc", "data"], links: ["https://example.org/mpc"]))
        let id = create.initiative
        svb.receive([create])
        return [
            create,
            uwv.setText(id, .summary, "Nieuwe samenvatting"),
            uwv.setPhase(id, PhaseValue(.stopped, lessonsLearned: "Juridisch nog niet rond")),
            uwv.add(id, .themes, "ai"),
            uwv.remove(id, .themes, "mpc"),
            svb.adopt(id, .piloting, note: "Pilot in Amsterdam"),
            svb.endorse(id, note: "Werkt"),
            svb.logProgress(id, ProgressEntry(date: "2026-11-29", text: "Eerste run", metrics: ["z": 1, "a": 2.5])),
            uwv.setArchived(id, true),
            svb.annotate(id, Annotation(label: "werkagenda-2027", priority: .high, note: "Versnellen")),
        ]
    }

    @Test func everyMutationRoundTrips() throws {
        for op in Self.sampleOps() {
            #expect(try Op(canonicalBytes: op.canonicalBytes) == op, "\(op.mutation.kind)")
        }
    }

    @Test func headerNamesThePayloadDigest() {
        let op = Self.sampleOps()[0]
        let header = op.headerBytes
        #expect(Array(header.suffix(32)) == Op.digest(of: op.payloadBytes))
        #expect(Array(op.canonicalBytes.prefix(header.count)) == header)
    }

    @Test func theEncodingIsPinned() throws {
        let op = Op(id: OpID(origin: try NodeID("uwv-1"), seq: 1), hlc: HLCTimestamp(rawValue: 0x0102),
                    author: try OrganisationID("uwv"), initiative: InitiativeID(timestamp: HLCTimestamp(rawValue: 0x0102), nodeHash: 7),
                    mutation: .setText(.title, "A", supersedes: []))
        let hex = op.canonicalBytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let header = ["4b4f5031", "0005", "7577762d31", "0000000000000001", "0000000000000102",
                      "0003", "757776", "0000000000000102", "0000000000000007"].joined()
        let payload = ["0000000b", "02", "01", "00000001", "41", "00000000"].joined()
        #expect(hex.hasPrefix(header))
        #expect(hex.hasSuffix(payload))
    }

    @Test func everyTruncationIsRefused() {
        for op in Self.sampleOps() {
            let bytes = op.canonicalBytes
            for length in 0..<bytes.count {
                #expect(throws: CanonicalDecodingError.self) { try Op(canonicalBytes: Array(bytes.prefix(length))) }
            }
        }
    }

    @Test func trailingBytesAreRefused() {
        let bytes = Self.sampleOps()[1].canonicalBytes + [0]
        #expect(throws: CanonicalDecodingError.trailingBytes(count: 1)) { try Op(canonicalBytes: bytes) }
    }

    @Test func alteredPayloadIsCaughtByTheDigest() {
        let op = Self.sampleOps()[1]
        var bytes = op.canonicalBytes
        bytes[bytes.count - 10] ^= 0x20
        #expect(throws: CanonicalDecodingError.payloadDigestMismatch(op.id)) {
            try Op(canonicalBytes: bytes)
        }
    }

    @Test func badMagicAndBadIdentifiersAreRefused() {
        var bytes = Self.sampleOps()[0].canonicalBytes
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: CanonicalDecodingError.self) { try Op(canonicalBytes: bytes) }
        var badOrigin = Self.sampleOps()[0].canonicalBytes
        badOrigin[6] = UInt8(ascii: "U")
        #expect(throws: CanonicalDecodingError.self) { try Op(canonicalBytes: badOrigin) }
    }

    @Test("10,000 payload mutations with the digest and length made to match: the payload parser refuses each or decodes it, and whatever decodes re-encodes to exactly the bytes it came from")
    func mutatedPayloadsDecodeStrictly() {
        var rng = SeededGenerator(seed: 7)
        let samples = Self.sampleOps()
        var decoded = 0
        var refused = 0
        for round in 0..<10_000 {
            let op = samples[round % samples.count]
            var payload = op.payloadBytes
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    payload[Int.random(in: 0..<payload.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 1:
                payload.removeLast(Int.random(in: 1...payload.count, using: &rng))
            case 2:
                payload.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...payload.count, using: &rng))
            default:
                // A small change where parsers look: a length or count byte.
                let index = Int.random(in: 0..<min(payload.count, 16), using: &rng)
                payload[index] = payload[index] &+ UInt8.random(in: 1...3, using: &rng)
            }
            let length = UInt32(payload.count)
            let bytes = Array(op.canonicalBytes.prefix(op.headerLength - 32)) + Op.digest(of: payload)
                + [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + payload
            do {
                let result = try Op(canonicalBytes: bytes)
                #expect(result.canonicalBytes == bytes, "round \(round): decoded bytes re-encode differently")
                decoded += 1
            } catch .payloadDigestMismatch {
                Issue.record("round \(round): the digest was recomputed, so the payload parser must decide")
            } catch {
                refused += 1
            }
        }
        #expect(decoded > 500 && refused > 500, "decoded \(decoded), refused \(refused): both paths are exercised")
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var rng = SeededGenerator(seed: 42)
        let valid = Self.sampleOps().map(\.canonicalBytes)
        for round in 0..<5_000 {
            var bytes = valid[round % valid.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? Op(canonicalBytes: bytes)
        }
    }
}

@Suite("header length")
struct HeaderLengthTests {
    @Test("the header is the canonical bytes' prefix of headerLength bytes, for every mutation kind")
    func headerIsPrefix() {
        var node = SimulatedNode("belastingdienst-1", organisation: "belastingdienst")
        let create = node.create(InitiativeDraft(title: "Ketenregie", description: String(repeating: "é", count: 300)))
        let ops = [create, node.setText(create.initiative, .summary, "kort"), node.add(create.initiative, .themes, "ai"),
                   node.setPhase(create.initiative, PhaseValue(.stopped, lessonsLearned: "te vroeg"))]
        for op in ops {
            #expect(Array(op.canonicalBytes.prefix(op.headerLength)) == op.headerBytes)
        }
    }
}
