public import KiemCore
public import Logging

/// Everything `kiemd` needs to run one node, as read from its TOML file
/// (see `deploy/kiemd.example.toml`) and overridden by flags.
public struct NodeConfiguration: Sendable, Equatable {
    /// The part a node plays in the federation.
    public enum Role: String, Sendable, CaseIterable {
        /// An agency's node: writes its organisation's initiatives.
        case agency
        /// Central coordination: replicates everything, serves the overview.
        case regie
    }

    /// How log lines are written to standard error.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// swift-log's plain text lines, for people reading a terminal.
        case text
        /// One JSON object a line (KiemNode's `JSONLogHandler`), for journald and log shippers.
        case json
    }

    /// Who may open a TLS session with the node (`accept` in the file).
    public enum Accept: String, Sendable, CaseIterable {
        /// Any node with a valid federation certificate (the default): a
        /// member the node does not dial may still dial in and sync.
        case members
        /// Only the nodes in the peer list: the configuration's `[[peers]]`
        /// with `kiemctl peers add|remove` applied. Others are refused in the
        /// TLS handshake (`not-a-peer`); a removed peer's connections close.
        case peers
    }

    /// Where a TLS server listens or a peer is reached.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        /// Creates an address.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `host:port`, `[v6]:port`; nil when malformed.
        public init?(parsing text: String) {
            let host: Substring
            let port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                port = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            // Brackets only delimit an IPv6 host: one inside the host would
            // not read back from `description` (docs/fuzzing.md).
            guard !host.isEmpty, !host.contains("["), !host.contains("]"), let number = Int(port), (0...65_535).contains(number) else {
                return nil
            }
            self.init(host: String(host), port: number)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// A node this one keeps a connection to.
    public struct Peer: Sendable, Hashable {
        /// Where to dial it.
        public var address: Address
        /// The organisation its certificate must name.
        public var organisation: OrganisationID
        /// The node its certificate must name.
        public var node: NodeID

        /// Creates a peer.
        public init(address: Address, organisation: OrganisationID, node: NodeID) {
            self.address = address
            self.organisation = organisation
            self.node = node
        }
    }

    /// The node's TLS files (PEM).
    public struct TLSFiles: Sendable, Equatable {
        /// The node's private key.
        public var key: String
        /// The node's certificate chain, leaf first.
        public var certificate: String
        /// The federation CA certificate(s) peers must chain to.
        public var ca: String
        /// A certificate revocation list (PEM or DER) from the CA, read at
        /// start and on SIGHUP: the certificates it lists are refused in
        /// the handshake. Optional.
        public var crl: String?

        /// Creates the set.
        public init(key: String, certificate: String, ca: String, crl: String? = nil) {
            self.key = key
            self.certificate = certificate
            self.ca = ca
            self.crl = crl
        }
    }

    /// This node's organisation (must match its certificate).
    public var organisation: OrganisationID
    /// This node's id (must match its certificate).
    public var node: NodeID
    /// Agency or regie.
    public var role: Role
    /// The folder that holds the store, the lock and the control socket.
    public var dataDirectory: String
    /// Where peers connect (mutual TLS).
    public var listen: Address
    /// The TLS files.
    public var tls: TLSFiles
    /// The nodes to keep connections to.
    public var peers: [Peer]
    /// Who may dial in: any federation member, or only the peers.
    public var accept: Accept = .members
    /// Where Prometheus metrics, `/healthz` and `/readyz` are served; nil
    /// turns the endpoint off.
    public var metrics: Address?
    /// The web dashboard: on by default for a regie.
    public var dashboard: Dashboard
    /// The least severe level logged.
    public var logLevel: Logger.Level
    /// What peers may make the node hold at once.
    public var limits = Limits()
    /// How log lines are written: text (the default) or JSON.
    public var logFormat: LogFormat

    /// The default listen address: every interface, port 7400.
    public static let defaultListen = Address(host: "0.0.0.0", port: 7400)
    /// The default metrics address: localhost only.
    public static let defaultMetrics = Address(host: "127.0.0.1", port: 9464)

    /// Creates a configuration.
    /// - Parameter dashboard: nil for the role's default
    ///   (``Dashboard/defaults(for:)``).
    public init(
        organisation: OrganisationID, node: NodeID, role: Role = .agency, dataDirectory: String,
        listen: Address = NodeConfiguration.defaultListen, tls: TLSFiles, peers: [Peer] = [],
        metrics: Address? = NodeConfiguration.defaultMetrics, dashboard: Dashboard? = nil, logLevel: Logger.Level = .info,
        logFormat: LogFormat = .text
    ) {
        self.organisation = organisation
        self.node = node
        self.role = role
        self.dataDirectory = dataDirectory
        self.listen = listen
        self.tls = tls
        self.peers = peers
        self.metrics = metrics
        self.dashboard = dashboard ?? .defaults(for: role)
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// The store file in the data folder.
    public var storePath: String { dataDirectory + "/kiem.sqlite" }
    /// The lock file that keeps a second `kiemd` off the data folder.
    public var lockPath: String { dataDirectory + "/kiemd.lock" }
    /// The mark of a restored store (KiemNode's `RestoreMark`), there until the node caught up with its own log.
    public var restoreMarkPath: String { dataDirectory + "/kiem.restored" }
    /// The control socket (`kiemctl`).
    public var controlSocketPath: String { dataDirectory + "/kiemd.sock" }
    /// The process id of the running daemon, for scripts (`kill $(cat …)`).
    public var pidPath: String { dataDirectory + "/kiemd.pid" }
}
