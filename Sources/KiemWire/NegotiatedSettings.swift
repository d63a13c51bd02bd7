/// What holds on a connection once both prefaces are exchanged.
public struct NegotiatedSettings: Sendable, Hashable {
    /// The protocol version both sides use.
    public var version: UInt16
    /// The preface this side sent.
    public var local: Preface
    /// The preface the peer sent.
    public var peer: Preface

    /// Creates negotiated settings.
    public init(version: UInt16, local: Preface, peer: Preface) {
        self.version = version
        self.local = local
        self.peer = peer
    }

    /// The largest frame payload this side may send (the peer's limit).
    public var maxOutboundFrameSize: Int { Int(self.peer.maxFrameSize) }
    /// The largest frame payload this side accepts.
    public var maxInboundFrameSize: Int { Int(self.local.maxFrameSize) }
}
