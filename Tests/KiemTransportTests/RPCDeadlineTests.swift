import Foundation
@testable import KiemTransport
import KiemWire
import NIOCore
import Testing

/// Deadlines and cancellation travel to the other end (WIRE.md section 10).
@Suite("RPC deadlines and cancellation")
struct RPCDeadlineTests {
    @Test("an expired deadline ends the call with DEADLINE_EXCEEDED on both ends")
    func deadlineExceeded() async throws {
        let probe = Probe()
        try await withTestServer(router: makeTestRouter(probe: probe)) { server in
            try await withTestClient(server) { client in
                let started = ContinuousClock.now
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(
                        TestMethods.hang,
                        request: ByteBuffer(string: "slow"),
                        options: RPCCallOptions(timeout: .milliseconds(300))
                    )
                }
                #expect(error?.code == .deadlineExceeded)
                #expect(ContinuousClock.now - started >= .milliseconds(300))
                #expect(ContinuousClock.now - started < .seconds(10))

                // The server handler ran, and its task was cancelled because
                // of the deadline (its own timer or the client's RST).
                try #expect(await probe.next() == .started("slow"))
                try #expect(await probe.next() == .cancelled("slow", .deadlineExceeded))

                // The connection is fine afterwards.
                let reply = try await client.unary(TestMethods.echo, request: ByteBuffer(string: "next"))
                #expect(String(buffer: reply) == "next")
            }
        }
    }

    @Test("a server stream runs until the deadline, then both ends stop")
    func streamingDeadline() async throws {
        let probe = Probe()
        try await withTestServer(router: makeTestRouter(probe: probe)) { server in
            try await withTestClient(server) { client in
                var received = 0  // how many arrived before the deadline depends on the machine
                let error = await #expect(throws: RPCError.self) {
                    try await client.serverStreaming(
                        TestMethods.flood,
                        request: ByteBuffer(string: "flood"),
                        options: RPCCallOptions(timeout: .milliseconds(300))
                    ) { responses in
                        for try await _ in responses {
                            received += 1
                        }
                    }
                }
                #expect(error?.code == .deadlineExceeded)
                try #expect(await probe.next() == .started("flood"))
                try #expect(await probe.next() == .cancelled("flood", .deadlineExceeded))
            }
        }
    }

    @Test("a deadline that already passed fails at once and sends nothing")
    func deadlineAlreadyPassed() async throws {
        let probe = Probe()
        try await withTestServer(router: makeTestRouter(probe: probe)) { server in
            try await withTestClient(server) { client in
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(
                        TestMethods.hang,
                        request: ByteBuffer(string: "never"),
                        options: RPCCallOptions(deadline: .now() - .seconds(1))
                    )
                }
                #expect(error?.code == .deadlineExceeded)
                // The next call is the first one the server sees. It has no
                // deadline (a short one could expire before a loaded machine
                // starts the handler); it is cancelled once the server saw it.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        _ = try? await client.unary(TestMethods.hang, request: ByteBuffer(string: "after"))
                    }
                    try #expect(await probe.next() == .started("after"))
                    group.cancelAll()
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test("cancelling the client task resets the stream and cancels the server handler")
    func clientCancellation() async throws {
        let probe = Probe()
        try await withTestServer(router: makeTestRouter(probe: probe)) { server in
            try await withTestClient(server) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let error = await #expect(throws: RPCError.self) {
                            _ = try await client.unary(TestMethods.hang, request: ByteBuffer(string: "cancel me"))
                        }
                        #expect(error?.code == .cancelled)
                    }
                    try #expect(await probe.next() == .started("cancel me"))
                    group.cancelAll()
                    try await group.waitForAll()
                }
                try #expect(await probe.next() == .cancelled("cancel me", .cancelled))

                // A streaming call abandoned halfway is cancelled too.
                let firstFew = try await client.serverStreaming(TestMethods.flood, request: ByteBuffer(string: "abandon")) { responses in
                    var count = 0
                    for try await _ in responses {
                        count += 1
                        if count == 10 { break }
                    }
                    return count
                }
                #expect(firstFew == 10)
                try #expect(await probe.next() == .started("abandon"))
                try #expect(await probe.next() == .cancelled("abandon", .cancelled))

                let reply = try await client.unary(TestMethods.echo, request: ByteBuffer(string: "alive"))
                #expect(String(buffer: reply) == "alive")
            }
        }
    }
}
