extension NodeConfiguration {
    /// The read-only web dashboard (`[dashboard]`): on by default for a
    /// regie, off for an agency; localhost only unless it is protected.
    public struct Dashboard: Sendable, Equatable {
        /// The key and certificate the dashboard serves HTTPS with (PEM).
        public struct TLS: Sendable, Equatable {
            public var key: String
            public var certificate: String

            /// Creates the pair.
            public init(key: String, certificate: String) {
                self.key = key
                self.certificate = certificate
            }
        }

        /// Whether the node serves it.
        public var enabled: Bool
        /// Where it listens.
        public var listen: Address
        /// HTTPS; nil for plain HTTP, which only a loopback address allows.
        public var tls: TLS?
        /// Whether a browser must present a client certificate issued by the
        /// federation CA (`[tls] ca`). Needs ``tls``.
        public var clientCertificates: Bool
        /// A file holding the bearer token every request must present.
        public var tokenFile: String?

        /// The default address: localhost only, port 9480.
        public static let defaultListen = Address(host: "127.0.0.1", port: 9480)

        /// Creates the settings; the defaults serve plain HTTP on localhost.
        public init(
            enabled: Bool = true, listen: Address = Dashboard.defaultListen, tls: TLS? = nil,
            clientCertificates: Bool = false, tokenFile: String? = nil
        ) {
            self.enabled = enabled
            self.listen = listen
            self.tls = tls
            self.clientCertificates = clientCertificates
            self.tokenFile = tokenFile
        }

        /// What a node of `role` does without a `[dashboard]` table: a regie
        /// serves the dashboard on localhost, an agency does not.
        public static func defaults(for role: Role) -> Dashboard {
            Dashboard(enabled: role == .regie)
        }

        /// The address to open in a browser, e.g. `http://127.0.0.1:9480/`.
        public var url: String {
            "\(tls == nil ? "http" : "https")://\(listen)/"
        }

        /// Checks the rule for serving beyond localhost: HTTPS, and a client
        /// certificate or a bearer token, so that no one on the network reads
        /// the portfolio unasked. Client certificates need HTTPS anywhere.
        /// - Throws: ``ConfigurationError`` naming the missing key.
        public func validate() throws(ConfigurationError) {
            guard enabled else { return }
            if clientCertificates && tls == nil {
                throw ConfigurationError(key: "dashboard.client_certificates", problem: "needs HTTPS: set dashboard.tls = true")
            }
            guard !listen.isLoopback else { return }
            let beyond = "to serve the dashboard on \(listen), beyond localhost"
            guard tls != nil else {
                throw ConfigurationError(key: "dashboard.tls", problem: "must be true \(beyond)")
            }
            guard clientCertificates || tokenFile != nil else {
                throw ConfigurationError(
                    key: "dashboard.token_file",
                    problem: "(or dashboard.client_certificates = true) is required \(beyond): say who may read it")
            }
        }
    }
}

extension NodeConfiguration.Address {
    /// Whether only this machine can connect: `localhost`, `127.0.0.0/8`
    /// or `::1`.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
