import Logging
public import NIOCore
import NIOSSL
import NIOTLS

/// Sits right behind the NIOSSL handler and turns the outcome of the TLS
/// handshake into either an authenticated ``PeerIdentity`` or a logged
/// ``PeerRefusal``.
///
/// - On success it completes ``identity``, remembers ``peerIdentity`` and fires
///   a ``TLSPeerAuthenticatedEvent`` down the pipeline (after NIOSSL's own
///   `TLSUserEvent.handshakeCompleted`), so an RPC handler can pick the
///   identity up without looking for this handler.
/// - On failure it logs one warning naming the reason (`kiem.tls.refusal`),
///   fails ``identity`` with the ``PeerRefusal``, passes the refusal on as the
///   error, and closes the channel.
///
/// In TLS 1.3 a client finishes its handshake before the server has judged
/// the client's certificate; a server's refusal then reaches the client as an
/// alert after ``identity`` has succeeded, and is logged and passed on as
/// ``PeerRefusal/rejectedByPeer(alert:)``.
public final class TLSIdentityHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private enum State {
        case handshaking
        case authenticated(PeerIdentity)
        case refused(PeerRefusal)
    }

    private var state: State = .handshaking
    private let promise: EventLoopPromise<PeerIdentity>
    private let slot: PeerVerificationSlot
    private let logger: Logger
    /// The ALPN protocols of which the handshake must agree on one (none
    /// required when empty).
    private let requiredProtocols: [String]

    init(eventLoop: any EventLoop, slot: PeerVerificationSlot, requiredProtocols: [String] = [], logger: Logger) {
        self.promise = eventLoop.makePromise(of: PeerIdentity.self)
        self.slot = slot
        self.requiredProtocols = requiredProtocols
        self.logger = logger
    }

    /// Completes with the peer's identity once the handshake has succeeded,
    /// or fails with the ``PeerRefusal``.
    public var identity: EventLoopFuture<PeerIdentity> { promise.futureResult }

    /// The authenticated peer, once the handshake has completed. Read it on
    /// the channel's event loop.
    public var peerIdentity: PeerIdentity? {
        if case .authenticated(let identity) = state { return identity }
        return nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshaking = state, let tlsEvent = event as? TLSUserEvent,
              case .handshakeCompleted(let negotiated) = tlsEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if !requiredProtocols.isEmpty, !requiredProtocols.contains(where: { $0 == negotiated }) {
            refuse(.applicationProtocolMismatch(required: requiredProtocols, negotiated: negotiated), context: context)
            return
        }
        switch slot.load() {
        case .success(let identity):
            state = .authenticated(identity)
            logger.debug(
                "TLS peer authenticated",
                metadata: [
                    "kiem.peer.organisation": "\(identity.organisation)",
                    "kiem.peer.node": "\(identity.node)",
                    "kiem.peer.oin": "\(identity.oin?.rawValue ?? "-")",
                    "kiem.peer.identity_source": "\(identity.source.rawValue)",
                ]
            )
            promise.succeed(identity)
            context.fireUserInboundEventTriggered(event)
            context.fireUserInboundEventTriggered(TLSPeerAuthenticatedEvent(identity: identity))
        case .failure(let refusal):
            refuse(refusal, context: context)
        case nil:
            refuse(.missingIdentity(reason: "the handshake completed without a certificate check"), context: context)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .handshaking:
            let refusal: PeerRefusal
            if case .failure(let verdict)? = slot.load() {
                refusal = verdict
            } else {
                refusal = PeerRefusal.classify(handshakeError: error)
            }
            refuse(refusal, context: context)
        case .authenticated:
            let classified = PeerRefusal.classify(handshakeError: error)
            if case .rejectedByPeer = classified {
                log(classified)
                context.fireErrorCaught(classified)
            } else {
                context.fireErrorCaught(error)
            }
        case .refused:
            // Already logged and passed on; NIOSSL may report the same failure twice.
            break
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking = state {
            let refusal = PeerRefusal.handshakeFailed(reason: "the connection closed before the TLS handshake completed")
            state = .refused(refusal)
            logger.info(
                "TLS connection closed before the handshake completed",
                metadata: ["kiem.tls.refusal": "\(refusal.code)"]
            )
            promise.fail(refusal)
        }
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        if case .handshaking = state {
            promise.fail(PeerRefusal.handshakeFailed(reason: "the TLS identity handler was removed before the handshake completed"))
        }
    }

    private func refuse(_ refusal: PeerRefusal, context: ChannelHandlerContext) {
        state = .refused(refusal)
        log(refusal)
        promise.fail(refusal)
        context.fireErrorCaught(refusal)
        context.close(promise: nil)
    }

    private func log(_ refusal: PeerRefusal) {
        logger.warning(
            "TLS peer refused: \(refusal.sentence)",
            metadata: ["kiem.tls.refusal": "\(refusal.code)"]
        )
    }
}

/// Fired down the pipeline by ``TLSIdentityHandler`` once the peer is
/// authenticated.
public struct TLSPeerAuthenticatedEvent: Sendable, Hashable {
    public let identity: PeerIdentity
}

@available(*, unavailable)
extension TLSIdentityHandler: Sendable {}
