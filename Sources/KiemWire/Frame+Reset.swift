extension Frame {
    /// The payload of an RST frame: why the stream ended abruptly.
    ///
    /// A client sends `CANCELLED` when its caller gives up and
    /// `DEADLINE_EXCEEDED` when the deadline passes; a server sends
    /// `RESOURCE_EXHAUSTED` or `UNAVAILABLE` to refuse a stream, and
    /// `DEADLINE_EXCEEDED` when the deadline passes.
    public struct Reset: Sendable, Hashable {
        /// The status the receiver reports for the stream.
        public var code: StatusCode
        /// A message for humans.
        public var message: String

        /// Creates a reset payload.
        public init(code: StatusCode, message: String = "") {
            self.code = code
            self.message = message
        }

        /// The reset as the error the receiving side reports.
        public var error: RPCError {
            RPCError(code: self.code, message: self.message)
        }
    }
}
