extension Frame {
    /// The payload of an OPEN frame: which method, how long the caller will
    /// wait, and the request metadata.
    public struct Open: Sendable, Hashable {
        /// The method path, `/package.Service/Method`, e.g. `/kiem.v1.Sync/Pull`.
        public var path: String
        /// The caller's remaining time budget in microseconds, relative to when
        /// the frame is sent; `nil` (0 on the wire) means no deadline.
        public var timeoutMicroseconds: UInt64?
        /// Request metadata.
        public var metadata: Metadata

        /// Creates an OPEN payload.
        public init(path: String, timeoutMicroseconds: UInt64? = nil, metadata: Metadata = Metadata()) {
            self.path = path
            self.timeoutMicroseconds = timeoutMicroseconds
            self.metadata = metadata
        }
    }
}
