import Foundation
import KiemProtocol
import KiemWire
import NIOCore
import Testing

@Suite("Method descriptors and generated messages")
struct ProtocolDefinitionTests {
    static var protocols: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocols/kiem/v1")
    }

    /// Every rpc in the .proto files: its path and its declaration,
    /// `rpc Name(stream? Request) returns (stream? Response);`.
    static func rpcDeclarations() throws -> [(path: String, line: String)] {
        var result: [(path: String, line: String)] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: protocols.path).filter { $0.hasSuffix(".proto") }
        for file in files {
            let text = try String(contentsOf: protocols.appendingPathComponent(file), encoding: .utf8)
            var service: String?
            for rawLine in text.split(separator: "\n") {
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("service ") {
                    service = line.split(separator: " ")[1].trimmingCharacters(in: CharacterSet(charactersIn: "{ "))
                } else if line.hasPrefix("rpc "), let service {
                    let name = line.dropFirst(4).prefix { $0 != "(" }
                    result.append(("/kiem.v1.\(service)/\(name)", line))
                }
            }
        }
        return result
    }

    /// `(path, kind)` of every rpc in the .proto files.
    static func rpcsInProtoFiles() throws -> [String: MethodDescriptor.Kind] {
        var result: [String: MethodDescriptor.Kind] = [:]
        for (path, line) in try rpcDeclarations() {
            let parts = line.components(separatedBy: "returns")
            let clientStreams = parts[0].contains("(stream ")
            let serverStreams = parts[1].contains("(stream ")
            result[path] =
                switch (clientStreams, serverStreams) {
                case (false, false): .unary
                case (false, true): .serverStreaming
                case (true, false): .clientStreaming
                case (true, true): .bidirectionalStreaming
                }
        }
        return result
    }

    /// `path → "Request Response"` of every rpc in the .proto files, the
    /// messages with their package (`kiem.v1.PullRequest`).
    static func messagesInProtoFiles() throws -> [String: String] {
        var result: [String: String] = [:]
        for (path, line) in try rpcDeclarations() {
            // ["rpc Name", "Request", " returns ", "Response", ";"], without `stream `
            let types = line.split(whereSeparator: { "()".contains($0) }).map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "stream ", with: "")
            }
            result[path] = "kiem.v1.\(types[1]) kiem.v1.\(types[3])"
        }
        return result
    }

    @Test("the method descriptors list exactly the rpcs of the .proto files, with their shapes")
    func descriptorsMatchProtoFiles() throws {
        let fromProto = try Self.rpcsInProtoFiles()
        let fromCode = Dictionary(uniqueKeysWithValues: MethodDescriptor.byPath.map { ($0.key, $0.value.kind) })
        #expect(fromProto == fromCode)
        #expect(MethodDescriptor.Sync.pull.path == "/kiem.v1.Sync/Pull")
        #expect(MethodDescriptor.Sync.pull.kind == .serverStreaming)
        #expect(MethodDescriptor.Sync.push.kind == .clientStreaming)
        #expect(MethodDescriptor.Control.watch.path == "/kiem.v1.Control/Watch")
    }

    @Test("the typed methods (SyncAPI, ControlAPI) are exactly the rpcs of the .proto files, with their message types")
    func typedMethodsMatchProtoFiles() throws {
        let typed = SyncAPI.signatures + ControlAPI.signatures
        let fromCode = Dictionary(uniqueKeysWithValues: typed.map { ($0.descriptor.path, "\($0.request) \($0.response)") })
        #expect(fromCode == (try Self.messagesInProtoFiles()))
        #expect(Set(typed.map(\.descriptor)) == Set(MethodDescriptor.byPath.values), "each typed method uses its descriptor")
        #expect(SyncAPI.pull.signature.description == "/kiem.v1.Sync/Pull(kiem.v1.PullRequest) returns (kiem.v1.OpBatch)")
    }

    @Test("generated messages round-trip through MessageCodec")
    func opBatchRoundTrip() throws {
        var op = Kiem_V1_Op()
        op.canonical = Data("KOP1".utf8) + Data(repeating: 1, count: 100)
        op.chain = Data(repeating: 0xAB, count: 32)
        op.signature = Data(repeating: 0xCD, count: 64)
        var batch = Kiem_V1_OpBatch()
        batch.ops = [op, op]
        let buffer = try MessageCodec.encode(batch)
        let decoded = try MessageCodec.decode(Kiem_V1_OpBatch.self, from: buffer)
        #expect(decoded == batch)

        var vector = Kiem_V1_VersionVector()
        for (origin, seq) in [("svb-1", 12), ("uwv-1", 40_000)] as [(String, UInt64)] {
            var entry = Kiem_V1_VersionEntry()
            entry.origin = origin
            entry.seq = seq
            vector.entries.append(entry)
        }
        var pull = Kiem_V1_PullRequest()
        pull.have = vector
        pull.maxOpsPerBatch = 500
        #expect(try MessageCodec.decode(Kiem_V1_PullRequest.self, from: try MessageCodec.encode(pull)) == pull)

        var edit = Kiem_V1_EditInitiativeRequest()
        edit.id = "01JBX5Q8Z3M4N5P6Q7R8S9T0VW"
        edit.title = "MPC voor inkomensgegevens"
        #expect(edit.hasTitle && !edit.hasSummary)
    }

    @Test("a payload that is not the expected message fails with INTERNAL")
    func badProtobuf() {
        // Field 1, length-delimited, claims 100 bytes but has 2.
        let garbage = ByteBuffer(bytes: [0x0A, 0x64, 0x01, 0x02])
        #expect {
            _ = try MessageCodec.decode(Kiem_V1_HandshakeRequest.self, from: garbage)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .internalError && error.message.hasPrefix("malformed kiem.v1.HandshakeRequest message")
        }
    }
}
