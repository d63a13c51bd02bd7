/// A violation that ends the whole connection: the receiver sends GOAWAY with
/// ``code`` and ``reason`` and closes.
///
/// State machines throw or return this for anything the peer did wrong at the
/// connection level (see WIRE.md, "Malformed input").
public struct ConnectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The GOAWAY code.
    public var code: ConnectionErrorCode
    /// What went wrong, for logs and the GOAWAY reason.
    public var reason: String

    /// Creates a connection error.
    public init(_ code: ConnectionErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    static func protocolError(_ reason: String) -> ConnectionError {
        ConnectionError(.protocolError, reason)
    }

    static func flowControl(_ reason: String) -> ConnectionError {
        ConnectionError(.flowControlError, reason)
    }

    public var description: String { "\(self.code): \(self.reason)" }
}
