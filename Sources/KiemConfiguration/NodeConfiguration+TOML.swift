import Foundation
import KiemCore
import Logging
import TOMLKit

extension NodeConfiguration {
    /// Reads and validates a TOML configuration file. Relative paths in it
    /// are taken relative to the file's folder.
    /// - Throws: ``ConfigurationError`` naming the file, the key and the problem.
    public static func load(file path: String) throws(ConfigurationError) -> NodeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, key: nil, problem: "cannot be read (\((error as NSError).localizedDescription))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            return try parse(toml: text, relativeTo: folder)
        } catch var error {
            error.file = path
            throw error
        }
    }

    /// Parses and validates TOML text.
    /// - Parameter folder: what relative paths are relative to.
    public static func parse(toml text: String, relativeTo folder: String) throws(ConfigurationError) -> NodeConfiguration {
        try checkTableHeaders(text)
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(key: nil, problem: "is not valid TOML: \(error.description) (\(error.source.begin))")
        } catch {
            throw ConfigurationError(key: nil, problem: "is not valid TOML: \(error)")
        }
        var reader = TableReader(table: root, prefix: "")
        let organisation = try reader.required("organisation") { text throws(ConfigurationError) in
            try slug(text, key: "organisation", as: OrganisationID.init)
        }
        let node = try reader.required("node") { text throws(ConfigurationError) in try slug(text, key: "node", as: NodeID.init) }
        let role = try reader.optional("role") { text throws(ConfigurationError) in
            guard let role = Role(rawValue: text) else {
                throw ConfigurationError(key: "role", problem: "must be \"agency\" or \"regie\", not \"\(text)\"")
            }
            return role
        } ?? .agency
        let dataDirectory = try reader.required("data_dir") { text throws(ConfigurationError) in resolve(text, in: folder) }
        let listen = try reader.optional("listen") { text throws(ConfigurationError) in try address(text, key: "listen") }
            ?? defaultListen
        let logLevel = try reader.optional("log_level") { text throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: text) else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(key: "log_level", problem: "must be one of \(levels), not \"\(text)\"")
            }
            return level
        } ?? .info
        let logFormat = try reader.optional("log_format") { text throws(ConfigurationError) in
            guard let format = LogFormat(rawValue: text) else {
                throw ConfigurationError(key: "log_format", problem: "must be \"text\" or \"json\", not \"\(text)\"")
            }
            return format
        } ?? .text
        let accept = try reader.optional("accept") { text throws(ConfigurationError) in
            guard let accept = Accept(rawValue: text) else {
                throw ConfigurationError(key: "accept", problem: "must be \"members\" or \"peers\", not \"\(text)\"")
            }
            return accept
        } ?? .members

        var tlsReader = try reader.table("tls", required: true)!
        let tls = TLSFiles(
            key: try tlsReader.required("key") { resolve($0, in: folder) },
            certificate: try tlsReader.required("certificate") { resolve($0, in: folder) },
            ca: try tlsReader.required("ca") { resolve($0, in: folder) },
            crl: try tlsReader.optional("crl") { resolve($0, in: folder) }
        )
        try tlsReader.finish()

        var metrics: Address? = defaultMetrics
        if var metricsReader = try reader.table("metrics", required: false) {
            let enabled = try metricsReader.optionalBool("enabled") ?? true
            let address = try metricsReader.optional("listen") { text throws(ConfigurationError) in
                try Self.address(text, key: "metrics.listen")
            }
            try metricsReader.finish()
            metrics = enabled ? (address ?? defaultMetrics) : nil
        }

        var dashboard = Dashboard.defaults(for: role)
        if var dashboardReader = try reader.table("dashboard", required: false) {
            dashboard = try Self.dashboard(&dashboardReader, role: role, tls: tls, folder: folder)
        }

        var limits = Limits()
        if var limitsReader = try reader.table("limits", required: false) {
            limits = try Limits(&limitsReader)
        }

        var peers: [Peer] = []
        for (index, table) in try reader.tableArray("peers").enumerated() {
            var peerReader = TableReader(table: table, prefix: "peers[\(index + 1)].")
            let key = "peers[\(index + 1)]"
            let peer = Peer(
                address: try peerReader.required("address") { text throws(ConfigurationError) in
                    try address(text, key: "\(key).address")
                },
                organisation: try peerReader.required("organisation") { text throws(ConfigurationError) in
                    try slug(text, key: "\(key).organisation", as: OrganisationID.init)
                },
                node: try peerReader.required("node") { text throws(ConfigurationError) in
                    try slug(text, key: "\(key).node", as: NodeID.init)
                }
            )
            try peerReader.finish()
            if peer.node == node {
                throw ConfigurationError(key: "\(key).node", problem: "is this node itself (\(node))")
            }
            if let earlier = peers.firstIndex(where: { $0.node == peer.node }) {
                throw ConfigurationError(key: "\(key).node", problem: "\(peer.node) is already peers[\(earlier + 1)]")
            }
            peers.append(peer)
        }
        try reader.finish()
        var configuration = NodeConfiguration(
            organisation: organisation, node: node, role: role, dataDirectory: dataDirectory, listen: listen,
            tls: tls, peers: peers, metrics: metrics, dashboard: dashboard, logLevel: logLevel, logFormat: logFormat)
        configuration.limits = limits
        configuration.accept = accept
        return configuration
    }

    /// Reads `[dashboard]` and checks that it may serve where it listens
    /// (``Dashboard/validate()``). HTTPS uses the node's own key and
    /// certificate unless `tls_key` and `tls_certificate` name others.
    private static func dashboard(
        _ reader: inout TableReader, role: Role, tls: TLSFiles, folder: String
    ) throws(ConfigurationError) -> Dashboard {
        var dashboard = Dashboard.defaults(for: role)
        dashboard.enabled = try reader.optionalBool("enabled") ?? dashboard.enabled
        dashboard.listen = try reader.optional("listen") { text throws(ConfigurationError) in
            try address(text, key: "dashboard.listen")
        } ?? Dashboard.defaultListen
        let https = try reader.optionalBool("tls") ?? false
        let key = try reader.optional("tls_key") { resolve($0, in: folder) }
        let certificate = try reader.optional("tls_certificate") { resolve($0, in: folder) }
        if (key == nil) != (certificate == nil) {
            throw ConfigurationError(key: key == nil ? "dashboard.tls_key" : "dashboard.tls_certificate",
                                     problem: "is required with dashboard.\(key == nil ? "tls_certificate" : "tls_key")")
        }
        if key != nil && !https {
            throw ConfigurationError(key: "dashboard.tls_key", problem: "is only used with dashboard.tls = true")
        }
        dashboard.tls = https ? Dashboard.TLS(key: key ?? tls.key, certificate: certificate ?? tls.certificate) : nil
        dashboard.clientCertificates = try reader.optionalBool("client_certificates") ?? false
        dashboard.tokenFile = try reader.optional("token_file") { resolve($0, in: folder) }
        try reader.finish()
        try dashboard.validate()
        return dashboard
    }

    /// The configuration as a TOML file that ``load(file:)`` reads back
    /// (absolute paths).
    public var toml: String {
        // A JSON string is a TOML basic string: quotes, backslashes and
        // every control character escaped (TOML refuses them as they are).
        let quoted = JSONString.quoted
        var lines = [
            "organisation = \(quoted(organisation.rawValue))",
            "node = \(quoted(node.rawValue))",
            "role = \(quoted(role.rawValue))",
            "data_dir = \(quoted(dataDirectory))",
            "listen = \(quoted(listen.description))",
            "log_level = \(quoted(logLevel.rawValue))",
            "log_format = \(quoted(logFormat.rawValue))",
            "accept = \(quoted(accept.rawValue))",
            "",
            "[tls]",
            "key = \(quoted(tls.key))",
            "certificate = \(quoted(tls.certificate))",
            "ca = \(quoted(tls.ca))",
        ] + (tls.crl.map { ["crl = \(quoted($0))"] } ?? []) + [
            "",
            "[metrics]",
            metrics.map { "listen = \(quoted($0.description))" } ?? "enabled = false",
            "",
            "[dashboard]",
            "enabled = \(dashboard.enabled)",
            "listen = \(quoted(dashboard.listen.description))",
        ]
        if let https = dashboard.tls {
            lines += ["tls = true", "tls_key = \(quoted(https.key))", "tls_certificate = \(quoted(https.certificate))"]
        }
        if dashboard.clientCertificates { lines.append("client_certificates = true") }
        if let tokenFile = dashboard.tokenFile { lines.append("token_file = \(quoted(tokenFile))") }
        if limits != Limits() {
            lines += [
                "", "[limits]", "max_connections = \(limits.connections)",
                "max_connections_per_peer = \(limits.connectionsPerPeer)", "max_sync_calls = \(limits.syncCalls)",
                "max_sync_calls_per_peer = \(limits.syncCallsPerPeer)",
                "max_held_ops_per_origin = \(limits.heldOpsPerOrigin)",
            ]
        }
        for peer in peers {
            lines += [
                "", "[[peers]]", "address = \(quoted(peer.address.description))",
                "organisation = \(quoted(peer.organisation.rawValue))", "node = \(quoted(peer.node.rawValue))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Refuses a table header that does not start with a name (`[=]`,
    /// `[é]`, `[` at the end of a line): toml++ 3, inside TOMLKit, asserts
    /// on one instead of reporting an error (an abort in a debug build,
    /// undefined behaviour in a release build); found by fuzzing
    /// (docs/fuzzing.md). A line inside a multi-line string that looks like
    /// such a header is refused too; no Kiem setting is a multi-line string.
    private static func checkTableHeaders(_ text: String) throws(ConfigurationError) {
        // Scalars, not characters: "[" and a combining mark are one Character.
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
        for (number, line) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line.drop(while: blank)
            guard rest.first == "[" else { continue }
            rest = rest.dropFirst()
            if rest.first == "[" { rest = rest.dropFirst() }
            rest = rest.drop(while: blank)
            guard let first = rest.first,
                first.isASCII && (first.properties.isAlphabetic || ("0"..."9").contains(first) || "_-\"']".unicodeScalars.contains(first))
            else {
                throw ConfigurationError(
                    key: nil, problem: "is not valid TOML: line \(number + 1): a table header must start with a name or a quoted name")
            }
        }
    }

    private static func slug<T>(_ text: String, key: String, as make: (String) throws -> T) throws(ConfigurationError) -> T {
        do {
            return try make(text)
        } catch {
            throw ConfigurationError(key: key, problem: "\"\(text)\" is not valid: \(error)")
        }
    }

    private static func address(_ text: String, key: String) throws(ConfigurationError) -> Address {
        guard let address = Address(parsing: text) else {
            throw ConfigurationError(key: key, problem: "\"\(text)\" is not host:port (e.g. \"0.0.0.0:7400\" or \"[::1]:7400\")")
        }
        return address
    }

    private static func resolve(_ path: String, in folder: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Reads one TOML table key by key, with errors that name the key, and
/// refuses keys nobody read (typos).
struct TableReader {
    let table: TOMLTable
    let prefix: String
    private var read: Set<String> = []

    init(table: TOMLTable, prefix: String) {
        self.table = table
        self.prefix = prefix
    }

    mutating func required<T>(_ key: String, _ make: (String) throws(ConfigurationError) -> T) throws(ConfigurationError) -> T {
        guard let value = try optional(key, make) else {
            throw ConfigurationError(key: prefix + key, problem: "is required")
        }
        return value
    }

    mutating func optional<T>(_ key: String, _ make: (String) throws(ConfigurationError) -> T) throws(ConfigurationError) -> T? {
        read.insert(key)
        guard let value = table[key] else { return nil }
        guard let text = value.string else {
            throw ConfigurationError(key: prefix + key, problem: "must be a string, not \(value.type)")
        }
        guard !text.isEmpty else { throw ConfigurationError(key: prefix + key, problem: "must not be empty") }
        return try make(text)
    }

    mutating func optionalBool(_ key: String) throws(ConfigurationError) -> Bool? {
        read.insert(key)
        guard let value = table[key] else { return nil }
        guard let bool = value.bool else {
            throw ConfigurationError(key: prefix + key, problem: "must be true or false, not \(value.type)")
        }
        return bool
    }

    mutating func optionalPositiveInt(_ key: String) throws(ConfigurationError) -> Int? {
        read.insert(key)
        guard let value = table[key] else { return nil }
        guard let int = value.int, int > 0 else {
            let found = value.int.map { "\($0)" } ?? "\(value.type)"
            throw ConfigurationError(key: prefix + key, problem: "must be a positive integer, not \(found)")
        }
        return int
    }

    mutating func table(_ key: String, required: Bool) throws(ConfigurationError) -> TableReader? {
        read.insert(key)
        guard let value = table[key] else {
            if required { throw ConfigurationError(key: prefix + key, problem: "is required (a [\(key)] table)") }
            return nil
        }
        guard let table = value.table else {
            throw ConfigurationError(key: prefix + key, problem: "must be a table ([\(key)]), not \(value.type)")
        }
        return TableReader(table: table, prefix: prefix + key + ".")
    }

    mutating func tableArray(_ key: String) throws(ConfigurationError) -> [TOMLTable] {
        read.insert(key)
        guard let value = table[key] else { return [] }
        guard let array = value.array else {
            throw ConfigurationError(key: prefix + key, problem: "must be an array of tables ([[\(key)]]), not \(value.type)")
        }
        var tables: [TOMLTable] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw ConfigurationError(key: "\(prefix)\(key)[\(index + 1)]", problem: "must be a table, not \(element.type)")
            }
            tables.append(table)
        }
        return tables
    }

    /// Fails on the first key nothing asked for.
    func finish() throws(ConfigurationError) {
        if let unknown = table.keys.sorted().first(where: { !read.contains($0) }) {
            throw ConfigurationError(key: prefix + unknown, problem: "is not a known setting")
        }
    }
}
