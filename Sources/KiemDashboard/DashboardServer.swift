package import Foundation
package import Hummingbird
import HummingbirdCore
import HummingbirdTLS
package import KiemConfiguration
import KiemCore
package import Logging
import NIOSSL
import Synchronization

/// The dashboard as a service of its node: the routes of ``Dashboard``
/// behind ``DashboardMiddleware`` and, when configured, the
/// ``BearerTokenMiddleware``, served over HTTP on localhost or HTTPS
/// (HummingbirdTLS), with client certificates from the federation CA when
/// asked.
///
/// Everything that can be wrong with the settings (the rule for serving
/// beyond localhost, unreadable TLS files or token) is found when it is made,
/// as the node opens, not when it starts serving.
package final class DashboardServer: Sendable {
    package let settings: NodeConfiguration.Dashboard
    package let dashboard: Dashboard
    private let token: BearerToken?
    private let tlsConfiguration: TLSConfiguration?
    private let logger: Logger
    private let bound = Mutex<URL?>(nil)
    private let started = ChangeSignal()

    /// - Parameter trustRoots: the federation CA file, for client
    ///   certificates.
    /// - Throws: ``DashboardStartupError`` saying what to fix.
    package init(settings: NodeConfiguration.Dashboard, trustRoots: String, dashboard: Dashboard, logger: Logger) throws {
        do {
            try settings.validate()
        } catch {
            throw DashboardStartupError("\(error)")
        }
        self.settings = settings
        self.dashboard = dashboard
        self.logger = logger
        token = try settings.tokenFile.map { try BearerToken(file: $0, logger: logger) }
        tlsConfiguration = try settings.tls.map { files in
            do {
                return try Self.tlsConfiguration(files, clientCertificates: settings.clientCertificates, trustRoots: trustRoots)
            } catch {
                throw DashboardStartupError("the dashboard's TLS files (\(files.key), \(files.certificate)) cannot be used: \(error)")
            }
        }
    }

    /// HTTPS with `files`; with `clientCertificates`, a client must present
    /// a certificate that chains to `trustRoots`, checked by BoringSSL
    /// (validity, signature, chain), or the handshake fails.
    static func tlsConfiguration(
        _ files: NodeConfiguration.Dashboard.TLS, clientCertificates: Bool, trustRoots: String
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        if clientCertificates {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustRoots))
            configuration.certificateVerification = .noHostnameVerification
            configuration.sendCANameList = true
        }
        return configuration
    }

    /// The routes with their middleware, for the server and for tests.
    package func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: DashboardMiddleware(node: dashboard.node, logger: logger))
        if let token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        dashboard.addRoutes(to: router)
        return router
    }

    /// Where the dashboard is served, with the port it bound; nil until it
    /// serves.
    package var url: URL? { bound.withLock { $0 } }

    /// Returns the address once the dashboard serves (at once if it does).
    package func waitUntilServing() async -> URL? {
        while !Task.isCancelled {
            let generation = started.generation
            if let url { return url }
            await started.wait(after: generation)
        }
        return url
    }

    /// Serves until the task is cancelled.
    /// - Throws: ``DashboardStartupError`` when it cannot listen.
    package func run() async throws {
        let address = settings.listen
        let scheme = tlsConfiguration == nil ? "http" : "https"
        let server: HTTPServerBuilder = try tlsConfiguration.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let application = Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "kiemd"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? address.port
                let url = URL(string: "\(scheme)://\(NodeConfiguration.Address(host: address.host, port: port))/")
                bound.withLock { $0 = url }
                logger.info("dashboard on \(url?.absoluteString ?? "?")")
                started.notify()
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            throw DashboardStartupError("the dashboard cannot serve on \(address): \(error)")
        }
    }
}
