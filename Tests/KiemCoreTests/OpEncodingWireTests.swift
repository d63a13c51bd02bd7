import Foundation
import KiemCore
import Testing

/// Protocols/WIRE.md section 16 (op encoding) checked against KiemCore.
///
/// The tests read the document: the field tables of 16.2 and 16.4 drive a
/// walker over the real encoder's bytes (it must consume every byte, field by
/// field), the dumps of 16.9 must appear verbatim, the enumeration values and
/// tag numbers must be the encoder's, and every row of the limits table is
/// probed at its bound with the number the table states.
///
/// To print the dumps (e.g. after a format change):
/// `KIEM_PRINT_WIRE_EXAMPLE=1 swift test --filter OpEncodingWireTests`
@Suite("WIRE.md op encoding")
struct OpEncodingWireTests {
    // MARK: - The document

    static let markdown: [String] = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocols/WIRE.md")
        return ((try? String(contentsOf: url, encoding: .utf8)) ?? "").components(separatedBy: "\n")
    }()

    /// One row of a field table: name, type (without backticks), values.
    struct FieldRow {
        var name: String
        var type: String
        var values: String
    }

    /// The rows of the first table at or after line `start`, header and
    /// separator left out.
    static func tableRows(from start: Int) -> [[String]] {
        var rows: [[String]] = []
        var index = start
        while index < markdown.count, !markdown[index].hasPrefix("|") { index += 1 }
        while index < markdown.count, markdown[index].hasPrefix("|") {
            rows.append(markdown[index].split(separator: "|", omittingEmptySubsequences: false)
                .dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) })
            index += 1
        }
        return Array(rows.dropFirst(2))
    }

    /// The rows of the table whose header row is `header`.
    static func table(headed header: String) -> [[String]] {
        guard let line = markdown.firstIndex(of: header) else { return [] }
        return tableRows(from: line)
    }

    static func fields(_ rows: [[String]]) -> [FieldRow] {
        rows.map { FieldRow(name: $0[0], type: $0[1].replacingOccurrences(of: "`", with: ""), values: $0[2]) }
    }

    /// The field table of the canonical op (16.2).
    static var headerFields: [FieldRow] { fields(table(headed: "| field | type | value |")) }

    /// Each tag of 16.4: its number, name and field table.
    static var payloadTables: [UInt8: (name: String, fields: [FieldRow])] {
        var tables: [UInt8: (name: String, fields: [FieldRow])] = [:]
        for (index, line) in markdown.enumerated() where line.hasPrefix("#### Tag ") {
            let words = line.dropFirst("#### Tag ".count).split(separator: ": ")
            guard words.count == 2, let tag = UInt8(words[0]) else { continue }
            tables[tag] = (String(words[1]), fields(tableRows(from: index)))
        }
        return tables
    }

    /// The `number name` pairs of a values cell: "1 idea, 2 experiment" → [(1, "idea"), (2, "experiment")].
    static func enumeration(_ values: String) -> [(UInt8, String)] {
        values.components(separatedBy: ", ").compactMap { part in
            let words = part.split(separator: " ")
            guard words.count >= 2, let raw = UInt8(words[0]) else { return nil }
            return (raw, String(words[1]))
        }
    }

    /// The integers in a cell, commas as thousands separators: "1 ... 1,048,576 bytes" → [1, 1048576].
    static func numbers(_ cell: String) -> [Int] {
        cell.replacingOccurrences(of: ",", with: "").split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    // MARK: - The examples

    static func node(_ text: String) -> NodeID { try! NodeID(text) }
    static func organisation(_ text: String) -> OrganisationID { try! OrganisationID(text) }

    static let uwv = node("uwv-1")
    static let svb = node("svb-1")
    static let hlc = HLCTimestamp(wallMillis: 1_764_428_400_000, logical: 0)
    static let initiative = InitiativeID(timestamp: hlc, node: uwv)

    /// The complete op of 16.9.
    static let createOp = Op(
        id: OpID(origin: uwv, seq: 1), hlc: hlc, author: organisation("uwv"), initiative: initiative,
        mutation: .create(InitiativeDraft(title: "MPC pilot", phase: PhaseValue(.pilot), themes: ["mpc"])))

    /// The payload examples of 16.9, one per tag after create, in tag order.
    static let payloadExamples: [Op] = {
        let first = OpID(origin: uwv, seq: 1)
        let mutations: [(NodeID, Mutation)] = [
            (uwv, .setText(.summary, "Samen rekenen", supersedes: [first])),
            (uwv, .setPhase(PhaseValue(.stopped, lessonsLearned: "Te duur"), supersedes: [OpID(origin: uwv, seq: 3)])),
            (uwv, .addElement(.themes, "ai")),
            (uwv, .removeElement(.themes, "mpc", tags: [first])),
            (svb, .setAdoption(Adoption(status: .piloting), supersedes: [])),
            (svb, .setEndorsement(Endorsement(endorsed: true, note: "Werkt"), supersedes: [])),
            (svb, .addProgress(ProgressEntry(date: "2026-11-29", text: "Eerste run", metrics: ["dagen": 12]),
                               adoption: OpID(origin: svb, seq: 1))),
            (uwv, .setArchived(true, supersedes: [OpID(origin: uwv, seq: 2)])),
            (svb, .setAnnotation(Annotation(label: "werkagenda-2027", priority: .high), supersedes: [])),
        ]
        return mutations.enumerated().map { index, pair in
            Op(id: OpID(origin: pair.0, seq: UInt64(index) + 2), hlc: HLCTimestamp(rawValue: hlc.rawValue + UInt64(index) + 1),
               author: organisation(String(pair.0.rawValue.prefix(3))), initiative: initiative, mutation: pair.1)
        }
    }()

    // MARK: - Walking bytes with the document's tables

    /// One annotated run of bytes; `type` and `values` say what the walker
    /// read it as, so tests can alter single fields.
    struct Segment {
        var offset: Int
        var bytes: [UInt8]
        var note: String
        var type: String = ""
        var values: String = ""
    }

    struct WalkError: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads bytes as the document describes them, one field at a time.
    struct Walker {
        let bytes: [UInt8]
        let tags: [UInt8: (name: String, fields: [FieldRow])]
        var offset = 0
        var segments: [Segment] = []

        mutating func take(_ count: Int, _ field: String) throws -> [UInt8] {
            guard offset + count <= bytes.count else { throw WalkError(description: "\(field) runs past the end") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func integer(_ count: Int, _ field: String) throws -> ([UInt8], UInt64) {
            let taken = try take(count, field)
            return (taken, taken.reduce(0) { $0 << 8 | UInt64($1) })
        }

        mutating func emit(_ bytes: [UInt8], _ note: String, _ type: String = "", _ values: String = "") {
            segments.append(Segment(offset: offset - bytes.count, bytes: bytes, note: note, type: type, values: values))
        }

        mutating func walk(_ fields: [FieldRow], tagName: String = "") throws {
            for field in fields { try walk(field.type, field.name, values: field.values, tagName: tagName) }
        }

        mutating func walk(_ type: String, _ name: String, values: String = "", tagName: String = "") throws {
            switch type {
            case "raw4":
                let taken = try take(4, name)
                emit(taken, "\(name) \"\(String(decoding: taken, as: UTF8.self))\"")
            case "u8":
                let (taken, value) = try integer(1, name)
                if name == "tag" {
                    emit(taken, "tag \(value): \(tagName)", type, values)
                } else {
                    let label = OpEncodingWireTests.enumeration(values).first { UInt64($0.0) == value }?.1 ?? "?"
                    emit(taken, "\(name) \(value) = \(label)", type, values)
                }
            case "bool":
                let (taken, value) = try integer(1, name)
                emit(taken, "\(name) \(value == 1 ? "true" : value == 0 ? "false" : "?")", type)
            case "u32", "u64":
                let (taken, value) = try integer(type == "u32" ? 4 : 8, name)
                emit(taken, "\(name) \(value)")
            case "hlc":
                let (taken, value) = try integer(8, name)
                emit(taken, "\(name) \(HLCTimestamp(rawValue: value)) (wall ms.logical)")
            case "f64":
                let (taken, value) = try integer(8, name)
                emit(taken, "\(name) \(Double(bitPattern: value))")
            case "str16", "str32":
                let (taken, length) = try integer(type == "str16" ? 2 : 4, name)
                emit(taken, "\(name) length \(length)")
                let text = try take(Int(length), name)
                if !text.isEmpty { emit(text, "\"\(String(decoding: text, as: UTF8.self))\"") }
            case "iid":
                let high = try integer(8, name).1
                let hash = try integer(8, name).1
                emit(Array(bytes[offset - 16..<offset]),
                     "\(name) \(InitiativeID(timestamp: HLCTimestamp(rawValue: high), nodeHash: hash))")
            case "sha256":
                emit(try take(32, name), "\(name)")
            case "opid":
                try walk("str16", "\(name) origin")
                try walk("u64", "\(name) seq")
            case "metric":
                try walk("str32", "metric name")
                try walk("f64", "metric value")
            case "payload":
                guard offset < bytes.count, let table = tags[bytes[offset]] else {
                    throw WalkError(description: "no table for the payload's tag")
                }
                try walk(table.fields, tagName: table.name)
            case _ where type.hasPrefix("list(") && type.hasSuffix(")"):
                let (taken, count) = try integer(4, name)
                emit(taken, "\(name) count \(count)")
                for _ in 0..<count { try walk(String(type.dropFirst(5).dropLast()), name) }
            case _ where type.hasPrefix("opt(") && type.hasSuffix(")"):
                let (taken, present) = try integer(1, name)
                emit(taken, "\(name) \(present == 1 ? "present" : present == 0 ? "absent" : "?")", "opt")
                if present == 1 { try walk(String(type.dropFirst(4).dropLast()), name, values: values) }
            default:
                throw WalkError(description: "unknown type \(type) of \(name)")
            }
        }

        /// Walks all of `bytes` as `fields`; throws unless every byte is read.
        static func walk(_ bytes: [UInt8], as fields: [FieldRow]) throws -> [Segment] {
            var walker = Walker(bytes: bytes, tags: OpEncodingWireTests.payloadTables)
            try walker.walk(fields)
            guard walker.offset == bytes.count else {
                throw WalkError(description: "\(bytes.count - walker.offset) bytes left after the last field")
            }
            return walker.segments
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
    }

    /// One annotated unit as WIRE.md shows it: a title line, then each
    /// segment in lines of at most 16 bytes, the note on the first.
    static func render(title: String, _ segments: [Segment]) -> String {
        var lines = ["# \(title)"]
        for segment in segments {
            for start in stride(from: 0, to: segment.bytes.count, by: 16) {
                let chunk = hex(Array(segment.bytes[start..<min(start + 16, segment.bytes.count)]))
                lines.append(start == 0 ? chunk.padding(toLength: 48, withPad: " ", startingAt: 0) + "  " + segment.note : chunk)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func createDump() throws -> String {
        let bytes = createOp.canonicalBytes
        return render(title: "create (tag 1): canonical op, \(bytes.count) bytes",
                      try Walker.walk(bytes, as: headerFields))
    }

    static func payloadDump() throws -> String {
        try payloadExamples.map { op in
            let bytes = op.payloadBytes
            return render(title: "\(op.mutation.kind) (tag \(bytes[0])): payload, \(bytes.count) bytes",
                          try Walker.walk(bytes, as: [FieldRow(name: "payload", type: "payload", values: "")]))
        }.joined(separator: "\n\n")
    }

    /// A canonical op around `payload`, written field by field as a stranger
    /// would from 16.2 (not with `Op.canonicalBytes`).
    static func canonical(
        origin: String = "uwv-1", seq: UInt64 = 1, author: String = "uwv", payload: [UInt8], digest: [UInt8]? = nil
    ) -> [UInt8] {
        var writer = CanonicalWriter()
        writer.write(raw: Array("KOP1".utf8))
        writer.writeShort(origin)
        writer.write(seq)
        writer.write(hlc.rawValue)
        writer.writeShort(author)
        writer.write(initiative)
        writer.write(raw: digest ?? Op.digest(of: payload))
        writer.write(UInt32(payload.count))
        writer.write(raw: payload)
        return writer.bytes
    }

    // MARK: - The document matches the encoder

    @Test("the dumps in WIRE.md 16.9 are the encoder's bytes, walked with the document's tables")
    func dumpsMatch() throws {
        let create = try Self.createDump()
        let payloads = try Self.payloadDump()
        if ProcessInfo.processInfo.environment["KIEM_PRINT_WIRE_EXAMPLE"] != nil {
            print("----- BEGIN OP EXAMPLES -----\n\(create)\n\n\(payloads)\n----- END OP EXAMPLES -----")
        }
        let text = Self.markdown.joined(separator: "\n")
        #expect(text.contains("```text\n\(create)\n```"), "regenerate the create dump in WIRE.md 16.9")
        #expect(text.contains("```text\n\(payloads)\n```"), "regenerate the payload dumps in WIRE.md 16.9")
    }

    @Test("every example decodes back to its op, and re-encodes to the same bytes")
    func examplesRoundTrip() throws {
        for op in [Self.createOp] + Self.payloadExamples {
            let bytes = op.canonicalBytes
            let decoded = try Op(canonicalBytes: bytes)
            #expect(decoded == op, "\(op.mutation.kind)")
            #expect(decoded.canonicalBytes == bytes)
        }
        // A stranger's encoding from the tables gives the same op.
        let op = Self.payloadExamples[0]
        #expect(try Op(canonicalBytes: Self.canonical(origin: "uwv-1", seq: op.id.seq, payload: op.payloadBytes)).mutation
                == op.mutation)
    }

    @Test("WIRE.md 16.4 has one table per tag, 1 to 10, named and numbered as the encoder does")
    func tagsMatch() throws {
        let tables = Self.payloadTables
        #expect(tables.keys.sorted() == Array(1...10))
        for op in [Self.createOp] + Self.payloadExamples {
            let tag = op.payloadBytes[0]
            let table = try #require(tables[tag])
            #expect(table.name == op.mutation.kind)
            #expect(table.fields.first?.name == "tag")
            #expect(Self.numbers(table.fields.first?.values ?? "") == [Int(tag)])
        }
        let summary = Self.table(headed: "| tag | name | what it does | who may write it (16.5) |")
        #expect(summary.map { "\($0[0]) \($0[1])" } == tables.keys.sorted().map { "\($0) \(tables[$0]!.name)" })
    }

    @Test("the enumeration values in WIRE.md are the encoder's raw values")
    func enumerationsMatch() {
        func cases<E: CaseIterable & RawRepresentable<UInt8> & CustomStringConvertible>(_: E.Type) -> [String] {
            E.allCases.map { "\($0.rawValue) \($0)" }
        }
        let expected: [String: [String]] = [
            "phase": cases(Phase.self), "field": cases(TextField.self), "set": cases(SetField.self),
            "status": cases(AdoptionStatus.self), "priority": cases(Annotation.Priority.self),
        ]
        var seen: Set<String> = []
        for (_, table) in Self.payloadTables {
            for field in table.fields where field.type == "u8" && field.name != "tag" {
                seen.insert(field.name)
                #expect(Self.enumeration(field.values).map { "\($0.0) \($0.1)" } == expected[field.name], "\(field.name)")
            }
        }
        #expect(seen == Set(expected.keys))
    }

    @Test("the initiative id example of WIRE.md 16.3 is the derived id, in bytes and text")
    func initiativeIDExample() throws {
        let text = Self.markdown.joined(separator: " ")
        let id = InitiativeID(timestamp: Self.hlc, node: Self.uwv)
        let bytes = Array(Self.createOp.canonicalBytes.dropFirst(4 + 2 + 5 + 8 + 8 + 2 + 3).prefix(16))
        #expect(Self.createOp.initiative == id)
        #expect(text.contains("`\(Self.hex(bytes))`"))
        #expect(text.contains("`\(id)`"))
        #expect(try InitiativeID(id.description.lowercased()) == id, "readers accept lower case")
        #expect(text.contains("SHA-256(`\"uwv-1\"`) starts with `\(Self.hex(Array(bytes.suffix(8))))`"))
        #expect(text.contains("hlc \(Self.hlc) (wall \(Self.hlc.wallMillis) ms"))
    }

    // MARK: - Strict decoding (16.6), driven by the example bytes

    /// `bytes` (a payload) with one byte replaced, wrapped in a canonical op
    /// with the matching digest.
    static func patched(_ payload: [UInt8], at offset: Int, to value: UInt8) -> [UInt8] {
        var payload = payload
        payload[offset] = value
        return canonical(payload: payload)
    }

    @Test("an unknown tag, enumeration value, bool or presence byte is refused")
    func unknownValuesRefused() throws {
        let first = Self.payloadExamples[0].payloadBytes
        for tag: UInt8 in [0, 11, 255] {
            #expect(throws: CanonicalDecodingError.invalid(field: "mutation tag", reason: "unknown tag \(tag)")) {
                try Op(canonicalBytes: Self.patched(first, at: 0, to: tag))
            }
        }
        var probed = 0
        for op in [Self.createOp] + Self.payloadExamples {
            let payload = op.payloadBytes
            let segments = try Walker.walk(payload, as: [FieldRow(name: "payload", type: "payload", values: "")])
            for segment in segments {
                let refused: [UInt8]
                switch segment.type {
                case "u8" where !segment.note.hasPrefix("tag"):
                    refused = [0, (Self.enumeration(segment.values).map(\.0).max() ?? 0) + 1]
                case "bool", "opt": refused = [2]
                default: continue
                }
                for value in refused {
                    probed += 1
                    #expect(throws: CanonicalDecodingError.self, "\(segment.note) = \(value)") {
                        try Op(canonicalBytes: Self.patched(payload, at: segment.offset, to: value))
                    }
                }
            }
        }
        #expect(probed >= 20)
    }

    @Test("trailing bytes, in the payload or after it, and invalid UTF-8 are refused")
    func trailingAndUTF8Refused() throws {
        let op = Self.payloadExamples[0]
        #expect(throws: CanonicalDecodingError.trailingBytes(count: 1)) {
            try Op(canonicalBytes: Self.canonical(payload: op.payloadBytes + [0]))
        }
        #expect(throws: CanonicalDecodingError.trailingBytes(count: 1)) { try Op(canonicalBytes: op.canonicalBytes + [0]) }
        // setText summary "Samen rekenen": the text starts after tag, field and length.
        #expect(throws: CanonicalDecodingError.invalid(field: "text", reason: "not valid UTF-8")) {
            try Op(canonicalBytes: Self.patched(op.payloadBytes, at: 6, to: 0xff))
        }
    }

    @Test("metrics out of order or named twice are refused; a list count beyond the input is refused before allocating")
    func metricsAndCountsRefused() throws {
        func progress(_ metrics: [(String, Double)], count: UInt32? = nil) -> [UInt8] {
            var writer = CanonicalWriter()
            writer.write(UInt8(8))
            writer.write("2026-11-29")
            writer.write("Eerste run")
            writer.write(count ?? UInt32(metrics.count))
            for (name, value) in metrics {
                writer.write(name)
                writer.write(value)
            }
            writer.write(UInt8(0))
            return Self.canonical(payload: writer.bytes)
        }
        #expect(throws: Never.self) { try Op(canonicalBytes: progress([("a", 1), ("b", 2)])) }
        #expect(throws: CanonicalDecodingError.invalid(field: "metrics", reason: "metrics must be sorted by name")) {
            try Op(canonicalBytes: progress([("b", 1), ("a", 2)]))
        }
        #expect(throws: CanonicalDecodingError.invalid(field: "metrics", reason: "metric 'a' appears twice")) {
            try Op(canonicalBytes: progress([("a", 1), ("a", 2)]))
        }
        #expect(throws: CanonicalDecodingError.self) { try Op(canonicalBytes: progress([], count: .max)) }
        // 16.4: names compare as NFC scalars; canonically equivalent names are one name.
        #expect(throws: Never.self) { try Op(canonicalBytes: progress([("Z", 1), ("a", 2), ("\u{E9}", 3)])) }
        #expect(throws: CanonicalDecodingError.self) { try Op(canonicalBytes: progress([("e\u{301}", 1), ("\u{E9}", 2)])) }
    }

    @Test("a payload that does not match its digest, and an erased payload (length 0), are refused with their own errors")
    func digestAndErasureRefused() throws {
        let op = Self.payloadExamples[0]
        var altered = op.payloadBytes
        altered[altered.count - 1] ^= 1
        #expect(throws: CanonicalDecodingError.payloadDigestMismatch(op.id)) {
            try Op(canonicalBytes: Self.canonical(origin: "uwv-1", seq: op.id.seq, payload: altered,
                                                  digest: Op.digest(of: op.payloadBytes)))
        }
        // 16.8: the header stays, with the digest of the erased payload.
        #expect(throws: CanonicalDecodingError.erasedPayload(op.id)) {
            try Op(canonicalBytes: Self.canonical(origin: "uwv-1", seq: op.id.seq, payload: [],
                                                  digest: Op.digest(of: op.payloadBytes)))
        }
    }

    // MARK: - Every limit of 16.5 at its bound

    /// Whether the rules call the mutation an invalid value (as opposed to
    /// judging it on its merits).
    static func isInvalidValue(_ mutation: Mutation) -> Bool {
        let op = Op(id: OpID(origin: uwv, seq: 1), hlc: hlc, author: organisation("uwv"), initiative: initiative, mutation: mutation)
        guard case let .reject(rejection) = Rules.judge(op, initiative: nil, reference: { _ in .unknown }) else { return false }
        return rejection.rule == .invalidValue
    }

    static func decodes(_ bytes: [UInt8]) -> Bool { (try? Op(canonicalBytes: bytes)) != nil }

    /// A setArchived payload naming one op id, written field by field.
    static func naming(origin: String, seq: UInt64) -> [UInt8] {
        var writer = CanonicalWriter()
        writer.write(UInt8(9))
        writer.write(true)
        writer.write(UInt32(1))
        writer.writeShort(origin)
        writer.write(seq)
        return writer.bytes
    }

    static func text(_ count: Int, _ character: Character = "a") -> String { String(repeating: character, count: count) }

    /// For each row of the limits table, a probe at the bound `n` the row states.
    static let probes: [String: @Sendable (Int) -> Void] = [
        "payload length": { n in
            // setText: tag, field, u32 length, the text, an empty list.
            let payload = { (size: Int) in Mutation.setText(.description, text(size - 10), supersedes: []) }
            let op = { (size: Int) in
                Op(id: OpID(origin: uwv, seq: 1), hlc: hlc, author: organisation("uwv"), initiative: initiative,
                   mutation: payload(size))
            }
            #expect(op(n).payloadBytes.count == n)
            #expect(decodes(op(n).canonicalBytes))
            #expect(!decodes(op(n + 1).canonicalBytes))
            #expect(n == Op.maximumPayloadSize)
        },
        "node id (origin, and the origin of every `opid`)": { n in
            let payload = naming(origin: "uwv-1", seq: 1)
            #expect(decodes(canonical(origin: "u" + text(n - 1), payload: payload)))
            #expect(!decodes(canonical(origin: "u" + text(n), payload: payload)))
            #expect(decodes(canonical(payload: naming(origin: "u" + text(n - 1), seq: 1))))
            #expect(!decodes(canonical(payload: naming(origin: "u" + text(n), seq: 1))))
            #expect(decodes(canonical(origin: "ab", payload: payload)))
            #expect(!decodes(canonical(origin: "a", payload: payload)))
            #expect(!decodes(canonical(origin: "uwv-", payload: payload)))
            #expect(!decodes(canonical(origin: "1uwv", payload: payload)))
            #expect(!decodes(canonical(origin: "Uwv", payload: payload)))
        },
        "organisation id (author)": { n in
            let payload = naming(origin: "uwv-1", seq: 1)
            #expect(decodes(canonical(author: "u" + text(n - 1), payload: payload)))
            #expect(!decodes(canonical(author: "u" + text(n), payload: payload)))
            #expect(!decodes(canonical(author: "u", payload: payload)))
        },
        "seq (of the op and of every `opid`)": { n in
            #expect(decodes(canonical(seq: UInt64(n), payload: naming(origin: "uwv-1", seq: UInt64(n)))))
            #expect(!decodes(canonical(seq: UInt64(n - 1), payload: naming(origin: "uwv-1", seq: 1))))
            #expect(!decodes(canonical(payload: naming(origin: "uwv-1", seq: UInt64(n - 1)))))
        },
        "title": { n in
            #expect(!isInvalidValue(.setText(.title, text(n), supersedes: [])))
            #expect(isInvalidValue(.setText(.title, text(n + 1), supersedes: [])))
            #expect(isInvalidValue(.setText(.title, " \n", supersedes: [])))
            #expect(isInvalidValue(.create(InitiativeDraft(title: ""))))
            #expect(isInvalidValue(.create(InitiativeDraft(title: text(n + 1)))))
        },
        "summary, contact, funding": { n in
            for field in [TextField.summary, .contact, .funding] {
                #expect(!isInvalidValue(.setText(field, text(n), supersedes: [])))
                #expect(isInvalidValue(.setText(field, text(n + 1), supersedes: [])))
            }
            #expect(isInvalidValue(.create(InitiativeDraft(title: "t", funding: text(n + 1)))))
        },
        "description": { n in
            #expect(!isInvalidValue(.setText(.description, text(n), supersedes: [])))
            #expect(isInvalidValue(.setText(.description, text(n + 1), supersedes: [])))
        },
        "lessons learned": { n in
            let stopped = { (lessons: String?) in Mutation.setPhase(PhaseValue(.stopped, lessonsLearned: lessons), supersedes: []) }
            #expect(!isInvalidValue(stopped(text(n))))
            #expect(isInvalidValue(stopped(text(n + 1))))
            #expect(isInvalidValue(stopped(" ")))
            #expect(isInvalidValue(stopped(nil)))
            #expect(isInvalidValue(.setPhase(PhaseValue(.pilot, lessonsLearned: "x"), supersedes: [])))
            #expect(isInvalidValue(.create(InitiativeDraft(title: "t", phase: PhaseValue(.stopped)))))
        },
        "theme, label": { n in
            #expect(!isInvalidValue(.addElement(.themes, "a-0" + text(n - 3))))
            #expect(isInvalidValue(.addElement(.themes, text(n + 1))))
            #expect(isInvalidValue(.addElement(.themes, "AI")))
            #expect(isInvalidValue(.addElement(.themes, "")))
            #expect(isInvalidValue(.create(InitiativeDraft(title: "t", themes: ["a b"]))))
            #expect(!isInvalidValue(.setAnnotation(Annotation(label: text(n)), supersedes: [])))
            #expect(!isInvalidValue(.setAnnotation(Annotation(label: ""), supersedes: [])))
            #expect(isInvalidValue(.setAnnotation(Annotation(label: text(n + 1)), supersedes: [])))
        },
        "link": { n in
            #expect(!isInvalidValue(.addElement(.links, text(n))))
            #expect(isInvalidValue(.addElement(.links, text(n + 1))))
            #expect(isInvalidValue(.addElement(.links, "\t")))
            #expect(isInvalidValue(.create(InitiativeDraft(title: "t", links: [" "]))))
        },
        "element to remove": { _ in
            #expect(!isInvalidValue(.removeElement(.themes, "x", tags: [])))
            #expect(isInvalidValue(.removeElement(.links, "", tags: [])))
        },
        "adoption, endorsement and annotation note": { n in
            for note in [text(n), text(n + 1)] {
                let invalid = note.utf8.count > n
                #expect(isInvalidValue(.setAdoption(Adoption(status: .adopted, note: note), supersedes: [])) == invalid)
                #expect(isInvalidValue(.setEndorsement(Endorsement(endorsed: true, note: note), supersedes: [])) == invalid)
                #expect(isInvalidValue(.setAnnotation(Annotation(note: note), supersedes: [])) == invalid)
            }
        },
        "progress text": { n in
            let entry = { (text: String) in Mutation.addProgress(ProgressEntry(date: "2026-11-29", text: text), adoption: nil) }
            #expect(!isInvalidValue(entry(text(n))))
            #expect(isInvalidValue(entry(text(n + 1))))
            #expect(isInvalidValue(entry("  ")))
        },
        "progress date": { _ in
            let entry = { (date: String) in Mutation.addProgress(ProgressEntry(date: date, text: "t"), adoption: nil) }
            #expect(!isInvalidValue(entry("2026-12-31")))
            for date in ["2026-13-01", "2026-00-10", "2026-01-32", "2026-1-01", "26-01-01", "2026/01/01", "2026-01-0a"] {
                #expect(isInvalidValue(entry(date)), "\(date)")
            }
        },
        "metrics per progress entry": { n in
            let entry = { (count: Int) in
                Mutation.addProgress(ProgressEntry(date: "2026-11-29", text: "t", metrics: Dictionary(
                    uniqueKeysWithValues: (0..<count).map { ("m\($0)", Double($0)) })), adoption: nil)
            }
            #expect(!isInvalidValue(entry(n)))
            #expect(isInvalidValue(entry(n + 1)))
        },
        "metric name": { n in
            let entry = { (name: String) in
                Mutation.addProgress(ProgressEntry(date: "2026-11-29", text: "t", metrics: [name: 1]), adoption: nil)
            }
            #expect(!isInvalidValue(entry(text(n))))
            #expect(isInvalidValue(entry(text(n + 1))))
            #expect(isInvalidValue(entry("")))
        },
        "metric value": { _ in
            for value in [Double.nan, .infinity, -.infinity] {
                #expect(isInvalidValue(.addProgress(ProgressEntry(date: "2026-11-29", text: "t", metrics: ["m": value]),
                                                    adoption: nil)))
            }
            #expect(!isInvalidValue(.addProgress(ProgressEntry(date: "2026-11-29", text: "t", metrics: ["m": -0.5]),
                                                 adoption: nil)))
        },
        "op ids in `supersedes` or `tags`": { n in
            let ids = { (count: Int) in (1...count).map { OpID(origin: uwv, seq: UInt64($0)) } }
            #expect(!isInvalidValue(.setArchived(true, supersedes: ids(n))))
            #expect(isInvalidValue(.setArchived(true, supersedes: ids(n + 1))))
            #expect(isInvalidValue(.removeElement(.themes, "x", tags: ids(n + 1))))
            #expect(isInvalidValue(.setAnnotation(Annotation(), supersedes: ids(n + 1))))
        },
    ]

    @Test("every limit in WIRE.md 16.5 holds at the bound the table states, and not one past it")
    func limitsHold() {
        let rows = Self.table(headed: "| limit | value | enforced by |")
        #expect(Set(rows.map { $0[0] }) == Set(Self.probes.keys), "one probe per row of the limits table")
        for row in rows {
            guard let probe = Self.probes[row[0]] else { continue }
            probe(Self.numbers(row[1]).max() ?? 0)
        }
    }
}
