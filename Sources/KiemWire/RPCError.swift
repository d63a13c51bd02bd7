/// An error that ends an RPC: a ``StatusCode`` and a human-readable message.
///
/// This is what travels in TRAILERS and RST frames, what a handler throws to
/// fail a call, and what a caller sees when a call fails. The optional
/// ``cause`` is local only: it never crosses the wire and does not take part
/// in equality.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status code; never ``StatusCode/ok``.
    public var code: StatusCode
    /// A description of the failure for humans (logs, `kiemctl` output).
    public var message: String
    /// The underlying error, if any. Not transmitted.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the status code.
    ///   - message: a description for humans.
    ///   - cause: the local error that led to this one, if any.
    public init(code: StatusCode, message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }

    public var description: String {
        if let cause = self.cause {
            return "\(self.code): \(self.message) (cause: \(cause))"
        }
        return "\(self.code): \(self.message)"
    }
}
