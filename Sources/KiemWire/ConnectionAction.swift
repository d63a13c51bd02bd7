public import NIOCore

/// What the I/O shell must do after feeding an event to a
/// ``ConnectionStateMachine``.
public enum ConnectionAction: Sendable, Hashable {
    /// Nothing.
    case none
    /// Write this frame.
    case send(Frame)
    /// The peer's preface was accepted: the connection is usable; frames may
    /// now be sent.
    case prefaceAccepted(NegotiatedSettings)
    /// Server: the peer opened a stream; dispatch it to the method's handler
    /// (or answer TRAILERS `UNIMPLEMENTED`). `endStream` means no request
    /// messages follow. `deadline` is when the call times out.
    case streamOpened(StreamID, Frame.Open, endStream: Bool, deadline: NIODeadline?)
    /// Deliver a message to the stream's reader. When the application has
    /// processed it, call ``ConnectionStateMachine/messageConsumed(bytes:on:)``
    /// so the peer gets its credit back. `endStream` (server side): the client
    /// sent its last message.
    case deliverMessage(StreamID, ByteBuffer, endStream: Bool)
    /// Server: the client sent its last message.
    case deliverHalfClose(StreamID)
    /// Client: the call finished with these trailers. The stream is gone.
    case deliverTrailers(StreamID, Frame.Trailers)
    /// The stream ended abnormally: the peer reset it, its deadline passed, or
    /// the connection refused it. Fail the call with `error`; write `send` if
    /// there is one. The stream is gone.
    case streamFailed(StreamID, RPCError, send: Frame?)
    /// Credit arrived: writes waiting on this stream (or, for `nil`, on the
    /// connection window, i.e. on any stream) may be retried.
    case resumeWrites(StreamID?)
    /// A PONG answered this side's PING after `rtt`.
    case pongReceived(rtt: TimeAmount)
    /// The peer sent GOAWAY without error: open no new streams here. The
    /// listed streams (above the peer's last stream id) were not processed;
    /// fail them with `UNAVAILABLE` (safe to retry on another connection).
    /// Others run to completion; close once ``ConnectionStateMachine/isReadyToClose``.
    case goAwayReceived(Frame.GoAway, failedStreams: [StreamID])
    /// Close the connection: write `goAway` first if present, then close.
    /// Fail every stream in `failedStreams` with `streamError`.
    case closeConnection(CloseConnection)

    /// The details of ``ConnectionAction/closeConnection(_:)``.
    public struct CloseConnection: Sendable, Hashable {
        /// GOAWAY to write before closing, if any.
        public var goAway: Frame?
        /// Why the connection closes; `nil` for a clean drain.
        public var error: ConnectionError?
        /// Streams that were still open.
        public var failedStreams: [StreamID]
        /// The error to fail them with.
        public var streamError: RPCError

        /// Creates the details.
        public init(goAway: Frame?, error: ConnectionError?, failedStreams: [StreamID], streamError: RPCError) {
            self.goAway = goAway
            self.error = error
            self.failedStreams = failedStreams
            self.streamError = streamError
        }
    }
}
