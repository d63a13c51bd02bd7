import Foundation
import KiemCore
import KiemProtocol
import KiemTestSupport
@testable import KiemTransport
import KiemWire
import NIOCore
import Testing

/// The four call shapes, metadata, peer identities, unknown methods and many
/// concurrent streams, over real mutual TLS 1.3 on 127.0.0.1.
@Suite("RPC calls over loopback TLS")
struct RPCCallTests {
    @Test("unary: the request comes back, raw and as protobuf")
    func unary() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                let reply = try await client.unary(TestMethods.echo, request: ByteBuffer(string: "hallo kiem"))
                #expect(String(buffer: reply) == "hallo kiem")

                let removed = try await client.unary(
                    TestMethods.removePeer,
                    request: removePeerRequest("svb-1.kiem.example:7443")
                )
                #expect(removed.removed)

                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(TestMethods.removePeer, request: .init())
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message == "address is empty")

                // An empty message is a valid message.
                let empty = try await client.unary(TestMethods.echo, request: ByteBuffer())
                #expect(empty.readableBytes == 0)
            }
        }
    }

    @Test("a handler's internal error reaches a peer as UNKNOWN with a fixed message, never its text; a convertible error with its own status")
    func errorPolicy() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                let failure = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(TestMethods.fail, request: ByteBuffer(string: "internal"))
                }
                #expect(failure?.code == .unknown)
                #expect(failure?.message == RPCRoute.internalFailureMessage)
                #expect(failure?.message.contains("kiem.sqlite") == false)
                let convertible = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(TestMethods.fail, request: ByteBuffer(string: "convertible"))
                }
                #expect(convertible == RPCError(code: .failedPrecondition, message: "the test says no"))
            }
        }
    }

    @Test("server-streaming: every message arrives, in order")
    func serverStreaming() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                let indices = try await client.serverStreaming(TestMethods.count, request: .integers(1000, 64)) { responses in
                    var indices: [UInt32] = []
                    for try await var message in responses {
                        #expect(message.readableBytes == 64)
                        indices.append(message.readInteger(as: UInt32.self) ?? .max)
                    }
                    return indices
                }
                #expect(indices == Array(0..<1000))

                // A handler error after some messages ends the stream with its status.
                let error = await #expect(throws: RPCError.self) {
                    try await client.serverStreaming(TestMethods.count, request: ByteBuffer()) { responses in
                        for try await _ in responses {}
                    }
                }
                #expect(error?.code == .invalidArgument)
            }
        }
    }

    @Test("client-streaming: the server sees every request, then answers once")
    func clientStreaming() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                var reply = try await client.clientStreaming(TestMethods.sum) { writer in
                    for value in 1...100 as ClosedRange<UInt32> {
                        try await writer.write(.integers(value))
                    }
                }
                #expect(reply.readInteger(as: UInt64.self) == 5050)

                var none = try await client.clientStreaming(TestMethods.sum) { _ in }
                #expect(none.readInteger(as: UInt64.self) == 0)
            }
        }
    }

    @Test("bidirectional: requests and responses interleave")
    func bidirectional() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                // Ping-pong: each request is written only after the previous
                // answer arrived, which works only if both directions are live.
                let (requests, continuation) = AsyncStream.makeStream(of: UInt32.self)
                continuation.yield(0)
                let answers = try await client.bidirectionalStreaming(TestMethods.chat) { writer in
                    for await value in requests {
                        try await writer.write(.integers(value))
                    }
                } responses: { responses in
                    var answers: [UInt32] = []
                    for try await var response in responses {
                        let value = response.readInteger(as: UInt32.self)!
                        answers.append(value)
                        if value < 49 {
                            continuation.yield(value + 1)
                        } else {
                            continuation.finish()
                        }
                    }
                    return answers
                }
                #expect(answers == Array(0..<50))
            }
        }
    }

    @Test("request metadata reaches the handler")
    func metadata() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                let reply = try await client.unary(
                    TestMethods.echo,
                    request: ByteBuffer(string: "metadata:kiem-trace"),
                    options: RPCCallOptions(metadata: ["kiem-client": "test/1", "kiem-trace": "req-42"])
                )
                #expect(String(buffer: reply) == "req-42")

                let invalid = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(TestMethods.echo, request: ByteBuffer(), options: RPCCallOptions(metadata: ["Bad Key": "x"]))
                }
                #expect(invalid?.code == .invalidArgument)
            }
        }
    }

    @Test("handlers see the caller's authenticated identity; the client sees the server's")
    func peerIdentity() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                #expect(client.peer?.organisation.rawValue == "svb")
                #expect(client.peer?.node.rawValue == "svb-1")
                let reply = try await client.unary(TestMethods.whoAmI, request: ByteBuffer())
                #expect(String(buffer: reply) == "uwv/uwv-1")
            }
            let other = try RPCFixtures.pki.node("rijkswaterstaat", "rws-7").tlsIdentity()
            try await withTestClient(server, identity: other) { client in
                let reply = try await client.unary(TestMethods.whoAmI, request: ByteBuffer())
                #expect(String(buffer: reply) == "rijkswaterstaat/rws-7")
            }
        }
    }

    @Test("a client whose certificate the server refuses cannot connect")
    func refusedClient() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            let foreign = try RPCFixtures.pki.foreignNode("uwv", "uwv-9").tlsIdentity()
            let error = await #expect(throws: RPCError.self) {
                try await withTestClient(server, identity: foreign) { client in
                    _ = try await client.unary(TestMethods.echo, request: ByteBuffer(string: "let me in"))
                }
            }
            #expect(error?.code == .unavailable)
            // The server goes on serving others.
            let reply = try await withTestClient(server) { client in
                try await client.unary(TestMethods.echo, request: ByteBuffer(string: "welcome"))
            }
            #expect(String(buffer: reply) == "welcome")
        }
    }

    @Test("an unknown method gets UNIMPLEMENTED and the connection stays usable")
    func unknownMethod() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                let missing = RPCMethod.raw(MethodDescriptor(service: "kiem.v1.Sync", method: "Teleport", kind: .unary))
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(missing, request: ByteBuffer(string: "x"))
                }
                #expect(error?.code == .unimplemented)
                #expect(error?.message == "unknown method /kiem.v1.Sync/Teleport")

                let streaming = RPCMethod.raw(MethodDescriptor(service: "kiem.v1.Sync", method: "Teleport", kind: .bidirectionalStreaming))
                let streamingError = await #expect(throws: RPCError.self) {
                    try await client.bidirectionalStreaming(streaming) { writer in
                        try await writer.write(ByteBuffer(string: "x"))
                    } responses: { responses in
                        for try await _ in responses {}
                    }
                }
                #expect(streamingError?.code == .unimplemented)

                let reply = try await client.unary(TestMethods.echo, request: ByteBuffer(string: "still here"))
                #expect(String(buffer: reply) == "still here")
            }
        }
    }

    @Test("100 concurrent streams on one connection")
    func concurrentStreams() async throws {
        let probe = Probe(barrierSize: 100)
        try await withTestServer(router: makeTestRouter(probe: probe)) { server in
            try await withTestClient(server) { client in
                // Every handler waits until all 100 are running: the calls
                // can only finish if the streams are open at the same time.
                let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for index in 0..<100 {
                        group.addTask {
                            let reply = try await client.unary(TestMethods.rendezvous, request: ByteBuffer(string: "call \(index)"))
                            return (index, String(buffer: reply))
                        }
                    }
                    var replies: [Int: String] = [:]
                    for try await (index, reply) in group {
                        replies[index] = reply
                    }
                    return replies
                }
                #expect(replies.count == 100)
                #expect(replies.allSatisfy { $0.value == "call \($0.key)" })

                // And mixed shapes at once on the same connection.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<100 as Range<UInt32> {
                        group.addTask {
                            switch index % 3 {
                            case 0:
                                let count = try await client.serverStreaming(TestMethods.count, request: .integers(50, 100)) { responses in
                                    try await responses.reduce(0) { total, _ in total + 1 }
                                }
                                #expect(count == 50)
                            case 1:
                                var sum = try await client.clientStreaming(TestMethods.sum) { writer in
                                    for value in 0..<20 as Range<UInt32> {
                                        try await writer.write(.integers(value + index))
                                    }
                                }
                                #expect(sum.readInteger(as: UInt64.self) == UInt64(190 + 20 * index))
                            default:
                                let reply = try await client.unary(TestMethods.echo, request: .integers(index))
                                #expect(reply == .integers(index))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }
}
