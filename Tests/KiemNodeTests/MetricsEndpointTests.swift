import Foundation
import Hummingbird
import HummingbirdTesting
import KiemCore
@testable import KiemNode
import KiemTestSupport
import Testing

@Suite("metrics and health endpoints")
struct MetricsEndpointTests {
    @Test("/metrics reports ops, peers, lag and batch latency; /healthz and /readyz answer")
    func routes() async throws {
        let federation = try TestFederation()
        let uwv = try await federation.open(try federation.configuration("uwv", "uwv-1"))
        let svb = try await federation.open(try federation.configuration("svb", "svb-1", peers: [try TestFederation.peer(uwv)]))
        let application = Application(router: svb.metrics.router(for: svb))
        // Before run(): alive but not ready.
        try await application.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
        try await running([uwv, svb]) {
            let id = try await uwv.create(.sample("Slimme inkoop"))
            try await uwv.write(.addElement(.themes, "inkoop"), to: id)
            try await waitForConvergence([uwv, svb])
            // Counters follow the commit that convergence sees.
            let uwvID = try NodeID("uwv-1")
            try await waitUntil("svb's counters", nodes: [svb]) { svb.counters.snapshot.accepted[uwvID] == 2 }
            try await application.test(.router) { client in
                try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"kiem_ops_applied_total{peer="uwv-1"} 2"#), "\(text)")
                    #expect(text.contains("kiem_connected_peers 1"))
                    #expect(text.contains(#"kiem_peer_lag_ops{peer="uwv-1"} 0"#))
                    #expect(text.contains("kiem_ops 2"))
                    #expect(text.contains("kiem_batch_apply_seconds_bucket"))
                    #expect(text.contains("kiem_database_bytes"))
                    #expect(text.contains("kiem_origins_at_held_quota 0"))
                }
            }
        }
    }
}
