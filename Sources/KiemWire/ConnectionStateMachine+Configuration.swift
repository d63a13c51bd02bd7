public import NIOCore

extension ConnectionStateMachine {
    /// Settings of one end of a connection.
    public struct Configuration: Sendable, Hashable {
        /// The preface this side sends: versions, max frame size, initial
        /// credits, max concurrent streams. Must pass ``Preface/validationFailure``.
        public var preface: Preface
        /// Send a PING when nothing has been received for this long;
        /// `nil` disables keep-alive pings.
        public var keepAliveInterval: TimeAmount?
        /// Close the connection (GOAWAY `TIMEOUT`) when a PING stays
        /// unanswered this long.
        public var keepAliveTimeout: TimeAmount
        /// Close the connection (GOAWAY `TIMEOUT`) when the peer's preface has
        /// not arrived this long after the connection started.
        public var prefaceTimeout: TimeAmount
        /// A PING from the peer arriving sooner than this after its previous
        /// one is a strike; one arriving later clears the strikes.
        public var minimumInboundPingInterval: TimeAmount
        /// Close the connection (GOAWAY `ENHANCE_YOUR_CALM`) after more
        /// consecutive strikes than this.
        public var maximumPingStrikes: Int

        /// Creates a configuration; the defaults are Kiem's.
        public init(
            preface: Preface = Preface(),
            keepAliveInterval: TimeAmount? = .seconds(30),
            keepAliveTimeout: TimeAmount = .seconds(10),
            prefaceTimeout: TimeAmount = .seconds(10),
            minimumInboundPingInterval: TimeAmount = .seconds(5),
            maximumPingStrikes: Int = 2
        ) {
            self.preface = preface
            self.keepAliveInterval = keepAliveInterval
            self.keepAliveTimeout = keepAliveTimeout
            self.prefaceTimeout = prefaceTimeout
            self.minimumInboundPingInterval = minimumInboundPingInterval
            self.maximumPingStrikes = maximumPingStrikes
        }
    }
}
