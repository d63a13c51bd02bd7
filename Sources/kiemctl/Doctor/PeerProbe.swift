import Foundation
import KiemConfiguration
import KiemCore
import KiemProtocol
import KiemTransport
import Logging
import SwiftProtobuf

/// A fresh connection to each peer, made the way kiemd's own peer links make
/// theirs: mutual TLS 1.3 with the node's certificate, ALPN `kiem`, the
/// organisation and node the configuration expects checked during the TLS
/// handshake, then one `Handshake` call for the peer's wall clock. What a
/// probe saw is a value (``Outcome``) that ``DoctorChecks`` judges.
///
/// The `Handshake` carries the node's version vector as its control socket
/// reported it, because a peer takes the vector in a handshake as what this
/// node holds; with no answer from the socket (kiemd stopped) it is empty,
/// which is harmless then: the node's next link replaces it.
struct PeerProbe: Sendable {
    /// What one probe saw.
    enum Outcome: Sendable {
        /// The peer proved the expected identity and answered the handshake.
        case answered(Answer)
        /// No handshake was completed: usually an ``RPCError`` whose cause,
        /// for a refused TLS handshake, is a ``PeerRefusal``.
        case failed(any Error)
    }

    /// A completed handshake.
    struct Answer: Sendable, Equatable {
        /// The identity the peer's certificate proved, e.g. `svb/svb-1`.
        var identity: String
        /// The organisation and node the peer's `Handshake` answer names.
        var organisation: String
        var node: String
        /// The peer's wall clock minus this machine's at the middle of the
        /// call, in milliseconds (uncertain by half of ``roundTripMillis``).
        var skewMillis: Int64
        /// Connection, TLS handshake, preface and the call, in milliseconds.
        var roundTripMillis: Int
    }


    /// How long one call may take once connected (dialling and the TLS
    /// handshake have their own limits in ``RPCConnectionConfiguration``).
    static let callTimeout: Duration = .seconds(10)

    private let tls: KiemTLSContext
    private let hello: Kiem_V1_HandshakeRequest
    private let logger: Logger

    /// Loads the node's key and certificates as kiemd does.
    /// - Parameter vector: What the node holds (the control socket's status).
    /// - Throws: ``PKIError`` when the TLS files cannot be used.
    init(configuration: NodeConfiguration, vector: Kiem_V1_VersionVector, logger: Logger) throws {
        let identity = try NodeTLSIdentity.load(
            privateKeyFile: configuration.tls.key, certificateChainFile: configuration.tls.certificate,
            trustRootsFile: configuration.tls.ca)
        tls = try KiemTLSContext(
            role: .client, identity: identity, applicationProtocols: [RPCServer.applicationProtocol], logger: logger)
        hello = Kiem_V1_HandshakeRequest.with {
            $0.nodeID = configuration.node.rawValue
            $0.organisation = configuration.organisation.rawValue
            $0.role = configuration.role == .regie ? .regie : .agency
            $0.versionVector = vector
            $0.softwareVersion = "kiemctl doctor (\(KiemSoftware.version))"
        }
        self.logger = logger
    }

    /// Probes every peer at once; the outcomes are in the peers' order.
    func probe(_ peers: [NodeConfiguration.Peer]) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, peer) in peers.enumerated() {
                group.addTask { (index, await probe(peer)) }
            }
            var outcomes = [Outcome?](repeating: nil, count: peers.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes.map { $0! }  // every index was added once
        }
    }

    /// Connects to `peer`, checks who it is and asks for its clock.
    func probe(_ peer: NodeConfiguration.Peer) async -> Outcome {
        let transport = RPCClientTransport.tls(
            host: peer.address.host, port: peer.address.port, context: tls,
            expecting: ExpectedPeer(organisation: peer.organisation, node: peer.node))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            return try await RPCClient.withConnection(to: transport, logger: logger) { client in
                let sent = Date()
                let response = try await client.unary(
                    SyncAPI.handshake, request: hello, options: RPCCallOptions(timeout: Self.callTimeout))
                let received = Date()
                let middle = (sent.timeIntervalSince1970 + received.timeIntervalSince1970) / 2 * 1000
                return .answered(Answer(
                    identity: client.peer.map(\.description) ?? "(no certificate)",
                    organisation: response.organisation, node: response.nodeID,
                    skewMillis: Int64(Double(response.wallClockMillis) - middle),
                    roundTripMillis: Int((clock.now - start) / .milliseconds(1))))
            }
        } catch {
            return .failed(error)
        }
    }
}
