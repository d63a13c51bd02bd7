import ArgumentParser
import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemStore
import KiemTransport
import Logging
import ServiceLifecycle
import UnixSignals

/// `kiemd`: runs one Kiem node until SIGTERM or SIGINT; SIGHUP reloads the CRL.
@main
struct Kiemd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemd",
        abstract: "The Kiem replication daemon: a full local replica of the federation's initiatives, synced with peers over mutual TLS.",
        discussion: """
            The configuration file is TOML; deploy/kiemd.example.toml documents every key. Flags override the file.
            In the data folder: kiem.sqlite (the replica), kiemd.sock (the control socket kiemctl talks to, \
            mode 0600), kiemd.pid (while running), kiemd.lock, and peers.json (peers added or removed with \
            kiemctl peers add|remove, applied at every start), and kiem.restored while a restored store \
            waits to learn from a peer how far this node's own log goes.
            Backup and restore: kiemctl backup --out FILE copies the store while kiemd runs. With kiemd \
            stopped, kiemd --restore FILE --config C installs such a copy (--force to replace a store) and \
            exits; the restored node signs no new op until a peer has said how far its own log goes and it \
            has pulled its ops back, so that it never signs a seq twice. A node whose store was lost starts \
            on an empty data folder with its own certificate and --rebuild-from-peers (docs/node.md, \
            "Backup and restore").
            Signals: SIGTERM or SIGINT shut down gracefully; SIGHUP reads [tls] crl again (systemctl reload kiemd).
            Exit status: 0 after a clean shutdown, 1 when the node cannot start or fails, 2 for a bad configuration.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The TOML configuration file.", valueName: "file"))
    var config: String

    @Flag(name: .long, help: "Validate the configuration, print a summary (with how long the certificates have left) and exit (0 if valid, 2 if not).")
    var checkConfig = false

    @Option(name: .long, help: ArgumentHelp("Override data_dir.", valueName: "folder"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("Override listen (host:port).", valueName: "address"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp(
        "Install this backup (from kiemctl backup) as the node's store, marked restored, and exit. Refused while kiemd runs on the data folder.",
        valueName: "file"))
    var restore: String?

    @Flag(name: .long, help: "With --restore: replace the store the data folder holds.")
    var force = false

    @Flag(name: .long, help: "Start a node whose store was lost, on an empty store: it signs nothing until a peer has said how far its own log goes and those ops are back.")
    var rebuildFromPeers = false

    @Option(name: .long, help: ArgumentHelp("Override log_level (trace, debug, info, notice, warning, error, critical).", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        let configuration: NodeConfiguration
        do {
            configuration = try loadConfiguration()
        } catch {
            FileHandle.standardError.write(Data("kiemd: configuration error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if checkConfig {
            print(Self.summary(of: configuration, at: Date()))
            return
        }
        if let restore {
            try Self.restore(restore, configuration: configuration, replacing: force)
            return
        }
        if force {
            FileHandle.standardError.write(Data("kiemd: --force goes with --restore\n".utf8))
            throw ExitCode(2)
        }
        let (level, format) = (configuration.logLevel, configuration.logFormat)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = switch format {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler.standardError(label: label)
            }
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kiemd")
        let node: KiemNode
        do {
            node = try await KiemNode.open(configuration, rebuildFromPeers: rebuildFromPeers, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            FileHandle.standardError.write(Data("kiemd: cannot start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: node, successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: ReloadOnHangup(node: node, logger: logger), successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("stopped with an error: \(error)")
            throw ExitCode(1)
        }
    }

    /// `--restore`: installs the backup and says what it did.
    private static func restore(_ file: String, configuration: NodeConfiguration, replacing: Bool) throws {
        let path = URL(fileURLWithPath: file).standardizedFileURL.path
        let restored: StoreBackup
        do {
            restored = try StoreRestore.restore(path, configuration: configuration, replacing: replacing)
        } catch {
            FileHandle.standardError.write(Data("kiemd: restore refused: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print("""
            restored \(path) into \(restored.path): \(restored.sizeBytes) bytes, \(restored.counts.ops) ops, \
            \(restored.counts.initiatives) initiatives, version vector \(restored.versionVector)
            the store is marked restored (\(configuration.restoreMarkPath)): once started, \(configuration.node) \
            signs no new op until a peer has said how far its own log goes and those ops are back \
            (kiemctl status shows why writes wait)
            """)
    }

    private func loadConfiguration() throws -> NodeConfiguration {
        var configuration = try NodeConfiguration.load(file: config)
        if let dataDir {
            configuration.dataDirectory = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        }
        if let listen {
            guard let address = NodeConfiguration.Address(parsing: listen) else {
                throw ConfigurationError(key: "--listen", problem: "\"\(listen)\" is not host:port")
            }
            configuration.listen = address
        }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ConfigurationError(key: "--log-level", problem: "\"\(logLevel)\" is not a log level")
            }
            configuration.logLevel = level
        }
        return configuration
    }

    static func summary(of configuration: NodeConfiguration, at now: Date) -> String {
        var lines = [
            "configuration is valid",
            "  organisation  \(configuration.organisation)",
            "  node          \(configuration.node)",
            "  role          \(configuration.role.rawValue)",
            "  data folder   \(configuration.dataDirectory)",
            "  listen        \(configuration.listen)",
            "  metrics       \(configuration.metrics.map { "\($0)" } ?? "off")",
            "  log level     \(configuration.logLevel.rawValue)",
            "  log format    \(configuration.logFormat.rawValue)",
            "  accept        \(configuration.accept.rawValue) (\(Self.explanation(of: configuration.accept)))",
            "  peers         \(configuration.peers.count)",
        ]
        for peer in configuration.peers {
            lines.append("    \(peer.node) (\(peer.organisation)) at \(peer.address)")
        }
        lines += certificateLines(label: "certificate", path: configuration.tls.certificate, at: now) { () throws(PKIError) in
            [try CertificateExpiry.node(configuration.node.rawValue, chainFile: configuration.tls.certificate)]
        }
        lines += certificateLines(label: "ca", path: configuration.tls.ca, at: now) { () throws(PKIError) in
            try CertificateExpiry.cas(file: configuration.tls.ca)
        }
        if let crl = configuration.tls.crl { lines.append(Self.crlLine(path: crl, at: now)) }
        return lines.joined(separator: "\n")
    }

    /// What the CRL at `path` holds and when the next is due, or why it
    /// cannot be read (kiemd itself refuses to start then).
    private static func crlLine(path: String, at now: Date) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "  crl           \(path): cannot be read" }
        do {
            let list = try CertificateRevocationList(pemOrDER: [UInt8](data))
            let next = list.nextUpdate.map { $0 < now ? "; its next update was due \($0): fetch a new one" : ", next update \($0)" }
            return "  crl           \(path): \(list.revoked.count) revoked certificates from \(list.issuer)\(next ?? "")"
        } catch {
            return "  crl           \(path): \(error)"
        }
    }

    /// Who `accept` lets dial in.
    private static func explanation(of accept: NodeConfiguration.Accept) -> String {
        switch accept {
        case .members: "any node with a valid federation certificate may dial in"
        case .peers: "only the nodes in the peer list may dial in"
        }
    }

    /// One line per certificate `load` reads from `path` saying how long it
    /// has left, and a warning line for one that expires within 30 days or
    /// has expired. A file that cannot be read is said so (kiemd itself
    /// refuses to start then).
    private static func certificateLines(
        label: String, path: String, at now: Date, _ load: () throws(PKIError) -> [CertificateExpiry]
    ) -> [String] {
        let padded = label.padding(toLength: 14, withPad: " ", startingAt: 0)
        let expiries: [CertificateExpiry]
        do {
            expiries = try load()
        } catch {
            return ["  \(padded)\(error)"]
        }
        return expiries.flatMap { expiry in
            ["  \(padded)\(path): \(expiry.remaining(at: now))"] + (expiry.warning(at: now).map { ["  warning       \($0)"] } ?? [])
        }
    }
}
