/// Where and how an ``RPCServer`` listens.
public struct RPCServerTransport: Sendable {
    enum Kind: Sendable {
        case tls(host: String, port: Int, context: KiemTLSContext)
        case unixDomainSocket(path: String, permissions: UInt16)
    }

    let kind: Kind

    /// TCP with mutual TLS 1.3, between nodes. `port` 0 picks a free port
    /// (see ``RPCServer/localAddress``). Build `context` with role `.server`
    /// and `applicationProtocols: [RPCServer.applicationProtocol]`.
    public static func tls(host: String, port: Int, context: KiemTLSContext) -> RPCServerTransport {
        RPCServerTransport(kind: .tls(host: host, port: port, context: context))
    }

    /// A Unix domain socket without TLS, for the control API. The socket file
    /// is replaced if it exists and gets `permissions` (default 0600: only
    /// the daemon's user can connect); keep it in a folder only that user
    /// can enter so that nobody else can reach it between bind and chmod.
    public static func unixDomainSocket(path: String, permissions: UInt16 = 0o600) -> RPCServerTransport {
        RPCServerTransport(kind: .unixDomainSocket(path: path, permissions: permissions))
    }
}
