extension Frame {
    /// The payload of a TRAILERS frame: the RPC's final status and response
    /// metadata. Sent by the server; ends the stream.
    public struct Trailers: Sendable, Hashable {
        /// The status; ``StatusCode/ok`` on success.
        public var code: StatusCode
        /// A message for humans; empty on success.
        public var message: String
        /// Response metadata.
        public var metadata: Metadata

        /// Creates trailers.
        public init(code: StatusCode, message: String = "", metadata: Metadata = Metadata()) {
            self.code = code
            self.message = message
            self.metadata = metadata
        }

        /// Trailers carrying `error`'s code and message.
        public init(_ error: RPCError, metadata: Metadata = Metadata()) {
            self.init(code: error.code, message: error.message, metadata: metadata)
        }

        /// Successful trailers.
        public static let ok = Trailers(code: .ok)

        /// The status as an error, or `nil` when the code is ``StatusCode/ok``.
        public var error: RPCError? {
            self.code == .ok ? nil : RPCError(code: self.code, message: self.message)
        }
    }
}
