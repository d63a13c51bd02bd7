public import KiemWire
public import NIOCore

/// Per-call settings on the client: the deadline and the request metadata.
public struct RPCCallOptions: Sendable {
    /// How long the call may take from when it starts; `nil` for no limit.
    /// Sent to the server in OPEN (WIRE.md section 10); both ends fail the
    /// call with `DEADLINE_EXCEEDED` when it passes.
    public var timeout: Duration?
    /// An absolute deadline, e.g. a server handler's ``RPCServerContext/deadline``
    /// passed on to the calls it makes. With ``timeout`` too, the earlier wins.
    public var deadline: NIODeadline?
    /// Request metadata sent in OPEN (keys: 1 to 255 bytes of `a-z 0-9 - _ .`).
    public var metadata: Metadata

    /// Creates options.
    public init(timeout: Duration? = nil, deadline: NIODeadline? = nil, metadata: Metadata = Metadata()) {
        self.timeout = timeout
        self.deadline = deadline
        self.metadata = metadata
    }

    /// The effective deadline for a call starting at `now`.
    func effectiveDeadline(now: NIODeadline) -> NIODeadline? {
        let fromTimeout = self.timeout.map { now + TimeAmount($0) }
        switch (fromTimeout, self.deadline) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }
}
