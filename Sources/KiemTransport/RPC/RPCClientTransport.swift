/// Where and how an ``RPCClient`` connects.
public struct RPCClientTransport: Sendable {
    enum Kind: Sendable {
        case tls(host: String, port: Int, context: KiemTLSContext, expecting: ExpectedPeer?)
        case unixDomainSocket(path: String)
    }

    let kind: Kind

    /// TCP with mutual TLS 1.3 to another node. Build `context` with role
    /// `.client` and `applicationProtocols: [RPCServer.applicationProtocol]`.
    /// With `expecting`, a server with another identity is refused during
    /// the handshake.
    public static func tls(host: String, port: Int, context: KiemTLSContext, expecting: ExpectedPeer? = nil) -> RPCClientTransport {
        RPCClientTransport(kind: .tls(host: host, port: port, context: context, expecting: expecting))
    }

    /// The node's control socket (no TLS).
    public static func unixDomainSocket(path: String) -> RPCClientTransport {
        RPCClientTransport(kind: .unixDomainSocket(path: path))
    }
}
