public import NIOCore

extension Channel {
    /// The authenticated identity of the peer on this TLS channel: completes
    /// when the handshake has succeeded, fails with the ``PeerRefusal`` if it
    /// was refused, or with `ChannelPipelineError.notFound` if the channel has
    /// no ``TLSIdentityHandler`` (see ``KiemTLSContext/addHandlers(to:expecting:)``).
    ///
    /// From async code: `let peer = try await channel.kiemPeerIdentity().get()`.
    public func kiemPeerIdentity() -> EventLoopFuture<PeerIdentity> {
        if eventLoop.inEventLoop {
            return Self.identityFuture(of: self)
        }
        return eventLoop.flatSubmit { Self.identityFuture(of: self) }
    }

    private static func identityFuture(of channel: any Channel) -> EventLoopFuture<PeerIdentity> {
        do {
            return try channel.pipeline.syncOperations.handler(type: TLSIdentityHandler.self).identity
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }
}
