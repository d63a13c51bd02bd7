extension Frame {
    /// The payload of a GOAWAY frame.
    public struct GoAway: Sendable, Hashable {
        /// The highest stream id the sender processed or may still process;
        /// streams above it were not processed and may be retried elsewhere.
        public var lastStreamID: StreamID
        /// Why the connection is closing.
        public var code: ConnectionErrorCode
        /// Diagnostic text for logs; may be empty.
        public var reason: String

        /// Creates a GOAWAY payload.
        public init(lastStreamID: StreamID, code: ConnectionErrorCode, reason: String = "") {
            self.lastStreamID = lastStreamID
            self.code = code
            self.reason = reason
        }
    }
}
