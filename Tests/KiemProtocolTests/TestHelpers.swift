import KiemProtocol
import KiemWire
import NIOCore

/// Shared helpers for the protocol tests.
enum TestHelpers {
    /// A fixed point in time plus `seconds`.
    static func time(_ seconds: Double) -> NIODeadline {
        .uptimeNanoseconds(1_000_000_000_000 + UInt64((seconds * 1_000_000_000).rounded()))
    }

    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    static func buffer(_ string: String) -> ByteBuffer {
        ByteBuffer(string: string)
    }

    static func bytes(_ frame: Frame) -> [UInt8] {
        var buffer = ByteBuffer()
        FrameEncoder.encode(frame, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func bytes(_ preface: Preface) -> [UInt8] {
        var buffer = ByteBuffer()
        preface.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Parses "4b 49 45 4d" or "4b49454d" into bytes.
    static func bytes(hex: String) -> [UInt8] {
        let digits = hex.filter(\.isHexDigit)
        var result: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            result.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
    }

    /// Feeds `bytes` to a fresh decoder in one piece and collects what it
    /// produces; ends with `decodeLast` when `atEOF`.
    static func decodeAll(
        _ bytes: [UInt8],
        maximumFrameLength: Int = Int(Preface.defaultMaximumFrameSize),
        expectsPreface: Bool = false,
        atEOF: Bool = true
    ) throws(FrameDecodingError) -> [InboundItem] {
        var decoder = FrameDecoder(maximumFrameLength: maximumFrameLength, expectsPreface: expectsPreface)
        var buffer = ByteBuffer(bytes: bytes)
        var items: [InboundItem] = []
        while let item = try decoder.decode(buffer: &buffer) {
            items.append(item)
        }
        if atEOF {
            while let item = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
                items.append(item)
            }
        }
        return items
    }

    /// Decodes exactly one frame from `bytes`.
    static func decodeFrame(_ bytes: [UInt8]) throws(FrameDecodingError) -> Frame? {
        let items = try decodeAll(bytes)
        guard items.count == 1, case .frame(let frame) = items[0] else { return nil }
        return frame
    }

    /// A client and a server machine whose prefaces have been exchanged.
    static func connectedPair(
        client clientConfiguration: ConnectionStateMachine.Configuration = .init(),
        server serverConfiguration: ConnectionStateMachine.Configuration = .init(),
        now: NIODeadline = TestHelpers.time(0)
    ) -> (client: ConnectionStateMachine, server: ConnectionStateMachine) {
        var client = ConnectionStateMachine(role: .client, configuration: clientConfiguration, now: now)
        var server = ConnectionStateMachine(role: .server, configuration: serverConfiguration, now: now)
        let clientAction = client.receivePreface(server.localPreface, now: now)
        let serverAction = server.receivePreface(client.localPreface, now: now)
        precondition(clientAction.isPrefaceAccepted && serverAction.isPrefaceAccepted)
        return (client, server)
    }
}

extension ConnectionAction {
    var isPrefaceAccepted: Bool {
        if case .prefaceAccepted = self { return true }
        return false
    }

    /// The GOAWAY code if this action closes the connection with a GOAWAY.
    var goAwayCode: ConnectionErrorCode? {
        guard case .closeConnection(let close) = self, let frame = close.goAway,
            case .goAway(let goAway) = frame.payload
        else { return nil }
        return goAway.code
    }

    var isClose: Bool {
        if case .closeConnection = self { return true }
        return false
    }

    /// The frame to send, if this is `.send`.
    var sentFrame: Frame? {
        if case .send(let frame) = self { return frame }
        return nil
    }
}

/// A small deterministic PRNG (SplitMix64), so fuzz failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
