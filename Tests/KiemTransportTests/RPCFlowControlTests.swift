import Foundation
@testable import KiemTransport
import KiemWire
import NIOCore
import Testing

/// A slow reader bounds what the sender holds (WIRE.md section 9).
@Suite("RPC flow control")
struct RPCFlowControlTests {
    @Test("100,000 messages to a slow reader: buffers never exceed credit plus one message")
    func slowReader() async throws {
        let streamCredit: UInt32 = 64 * 1024
        let messageSize = 1024
        let messages = 100_000
        var clientConfiguration = RPCConnectionConfiguration()
        // What the client announces bounds what the server may send it.
        clientConfiguration.connection.preface.initialStreamCredit = streamCredit
        clientConfiguration.connection.preface.initialConnectionCredit = 4 * streamCredit
        var serverConfiguration = RPCConnectionConfiguration()
        serverConfiguration.outboundBufferLimit = 32 * 1024
        let clientConfig = clientConfiguration
        let serverConfig = serverConfiguration

        let probe = Probe()
        try await withTestServer(router: makeTestRouter(probe: probe), configuration: serverConfig) { server in
            try await withTestClient(server, configuration: clientConfig) { client in
                let (count, statistics) = try await client.serverStreaming(
                    TestMethods.count,
                    request: .integers(UInt32(messages), UInt32(messageSize))
                ) { responses in
                    var count = 0
                    for try await var message in responses {
                        #expect(message.readInteger(as: UInt32.self) == UInt32(count))
                        count += 1
                        // A slow consumer: the server can fill the window
                        // many times over while the reader naps.
                        if count % 2_000 == 0 {
                            try await Task.sleep(for: .milliseconds(2))
                        }
                    }
                    return (count, responses.box.statistics)
                }
                #expect(count == messages)
                // The client never held more than its credit plus one frame.
                #expect(statistics.highWaterBufferedBytes <= Int(streamCredit) + messageSize)
                // The reader really was overrun (else this test proves nothing).
                #expect(statistics.highWaterBufferedBytes >= Int(streamCredit) / 2)
                #expect(statistics.receivedBytes == messages * messageSize)

                // The server's writer waited instead of queueing without bound.
                guard case .writerStatistics(let highWater, let suspensions) = try await probe.next() else {
                    Issue.record("no writer statistics")
                    return
                }
                #expect(suspensions > 0)
                #expect(highWater <= serverConfig.outboundBufferLimit + messageSize)
            }
        }
    }

    @Test("a message above the peer's max frame size fails locally with RESOURCE_EXHAUSTED")
    func oversizedMessage() async throws {
        try await withTestServer(router: makeTestRouter(probe: Probe())) { server in
            try await withTestClient(server) { client in
                let huge = ByteBuffer(repeating: 7, count: Int(Preface.defaultMaximumFrameSize) + 1)
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(TestMethods.echo, request: huge)
                }
                #expect(error?.code == .resourceExhausted)
                let streamingError = await #expect(throws: RPCError.self) {
                    _ = try await client.clientStreaming(TestMethods.sum) { writer in
                        try await writer.write(huge)
                    }
                }
                #expect(streamingError?.code == .resourceExhausted)

                // Large but allowed messages pass.
                let big = ByteBuffer(repeating: 9, count: 3 * 1024 * 1024)
                let reply = try await client.unary(TestMethods.echo, request: big)
                #expect(reply == big)
            }
        }
    }
}
