/// One flow-control window (WIRE.md section 9), of a stream or of the whole
/// connection, in bytes of MESSAGE payload: what this side may still send,
/// what the peer may still send, and what the application consumed but was
/// not yet granted back. A side may start a MESSAGE while its credit is
/// positive and the whole length is deducted, so credit can go negative by
/// less than one message. ``ConnectionStateMachine`` keeps one for the
/// connection and each ``StreamStateMachine`` one for its stream: the same
/// rules for both.
public struct FlowControlWindow: Hashable, Sendable {
    /// What the window belongs to, for error messages.
    public enum Scope: Hashable, Sendable {
        case connection
        case stream(StreamID)
    }

    /// Whose window this is.
    public let scope: Scope
    /// MESSAGE payload bytes this side may still send (may be negative).
    public private(set) var sendCredit: Int64
    /// MESSAGE payload bytes the peer may still send (may be negative).
    public private(set) var receiveCredit: Int64
    /// Bytes consumed by the application and not yet granted back.
    private var unannounced: Int64 = 0
    /// The window this side announced: half of it consumed is granted back.
    private let initialReceiveCredit: Int64

    /// Creates a window with the credit each side announced.
    public init(_ scope: Scope, sendCredit: UInt32, receiveCredit: UInt32) {
        self.scope = scope
        self.sendCredit = Int64(sendCredit)
        self.receiveCredit = Int64(receiveCredit)
        self.initialReceiveCredit = Int64(receiveCredit)
    }

    /// Whether this side may start a MESSAGE as far as this window goes.
    public var canSend: Bool { sendCredit > 0 }

    /// Sets what this side may send (the connection's, once the peer's
    /// preface announced it).
    mutating func announceSendCredit(_ credit: UInt32) {
        sendCredit = Int64(credit)
    }

    /// This side starts a MESSAGE of `length` bytes.
    /// - Returns: `false`, changing nothing, when the credit is not positive.
    mutating func send(length: Int) -> Bool {
        guard canSend else { return false }
        sendCredit -= Int64(length)
        return true
    }

    /// The peer sent a MESSAGE of `length` bytes.
    /// - Throws: `FLOW_CONTROL_ERROR` when it had no credit left.
    mutating func receive(length: Int) throws(ConnectionError) {
        guard receiveCredit > 0 else {
            switch scope {
            case .connection:
                throw .flowControl("MESSAGE of \(length) bytes with connection credit \(receiveCredit)")
            case let .stream(id):
                throw .flowControl("MESSAGE of \(length) bytes on stream \(id) with stream credit \(receiveCredit)")
            }
        }
        receiveCredit -= Int64(length)
    }

    /// The peer granted `increment` more bytes.
    /// - Returns: whether sending went from blocked (credit ≤ 0) to possible.
    /// - Throws: `FLOW_CONTROL_ERROR` when the credit would exceed 2^31 - 1.
    mutating func grant(_ increment: UInt32) throws(ConnectionError) -> Bool {
        let before = sendCredit
        let after = before + Int64(increment)
        guard after <= Int64(Preface.maximumWindow) else {
            switch scope {
            case .connection: throw .flowControl("connection credit overflows to \(after)")
            case let .stream(id): throw .flowControl("stream \(id) credit overflows to \(after)")
            }
        }
        sendCredit = after
        return before <= 0 && after > 0
    }

    /// The application consumed `bytes` of received payload.
    /// - Returns: the increment to grant in a CREDIT frame once at least half
    ///   the announced window was consumed (never past 2^31 - 1); else nil.
    mutating func consumed(bytes: Int) -> UInt32? {
        unannounced += Int64(bytes)
        let threshold = max(1, initialReceiveCredit / 2)
        guard unannounced >= threshold else { return nil }
        let increment = min(unannounced, Int64(Preface.maximumWindow) - max(0, receiveCredit))
        guard increment > 0 else { return nil }
        unannounced -= increment
        receiveCredit += increment
        return UInt32(increment)
    }
}
