import Foundation
import Hummingbird
import KiemConfiguration
import KiemCore
import KiemTransport
import Metrics
import Prometheus

/// The node's Prometheus registry and its HTTP endpoint: `/metrics` (the
/// text format), `/healthz` (the process answers) and `/readyz` (the node
/// serves peers and is not shutting down).
///
/// Counters are updated as things happen (``NodeCounters``); gauges that
/// describe state (connected peers, per-peer lag, database size, op count,
/// certificate expiry) are computed when scraped, so nothing runs between scrapes.
struct MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Batch applies take from well under a millisecond to seconds.
        factory.durationHistogramBuckets["kiem_batch_apply_seconds"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2.5), .seconds(5),
        ]
        self.factory = factory
    }

    /// The metrics text, with the state gauges refreshed from `node`.
    func scrape(_ node: KiemNode) -> String {
        let vector = node.versionVector
        let peers = node.replicator.registry.peers
        Gauge(label: "kiem_connected_peers", factory: factory).record(peers.values.filter { $0.connected != nil }.count)
        for (peer, state) in peers {
            let lag = vector.missing(from: state.assumedHoldings).reduce(UInt64(0)) { $0 + UInt64($1.seqs.count) }
            Gauge(label: "kiem_peer_lag_ops", dimensions: [("peer", peer.rawValue)], factory: factory).record(Int64(clamping: lag))
            Gauge(label: "kiem_peer_connected", dimensions: [("peer", peer.rawValue)], factory: factory)
                .record(state.connected == nil ? 0 : 1)
        }
        Gauge(label: "kiem_ops", factory: factory).record(Int64(clamping: vector.totalOps))
        Gauge(label: "kiem_origins_at_held_quota", factory: factory).record(node.replicator.oplog.deferredOrigins.count)
        Gauge(label: "kiem_database_bytes", factory: factory).record(Self.databaseBytes(node.configuration.storePath))
        recordCertificateExpiry(node.certificates.current, at: Date())
        return registry.emitToString()
    }

    /// `kiem_certificate_expiry_seconds`: the seconds left until each
    /// certificate's notAfter (negative once expired), `kind` node, ca or
    /// peer (with `peer`). Of several trusted CAs the one that expires first.
    private func recordCertificateExpiry(_ certificates: [CertificateExpiry], at now: Date) {
        let firstCA = certificates.filter { $0.kind == .ca }.min { $0.notValidAfter < $1.notValidAfter }
        for certificate in certificates where certificate.kind != .ca || certificate == firstCA {
            var dimensions = [("kind", certificate.kind.rawValue)]
            if certificate.kind == .peer { dimensions.append(("peer", certificate.name)) }
            Gauge(label: "kiem_certificate_expiry_seconds", dimensions: dimensions, factory: factory)
                .record(certificate.secondsLeft(at: now).rounded(.down))
        }
    }

    /// The store file with its WAL.
    static func databaseBytes(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            return total + size
        }
    }

    /// The HTTP application serving the endpoint for `node` at `address`.
    func application(for node: KiemNode, address: NodeConfiguration.Address) -> some ApplicationProtocol {
        Application(
            router: router(for: node),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "kiemd"),
            logger: node.logger)
    }

    /// The routes, for the application and for tests.
    func router(for node: KiemNode) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: scrape(node))))
        }
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let ready = node.isReady
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready\n")))
        }
        return router
    }
}
