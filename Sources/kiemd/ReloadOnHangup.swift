import KiemNode
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads what the node reads again on SIGHUP (`systemctl reload kiemd`),
/// once per signal, until the service group shuts down.
struct ReloadOnHangup: Service {
    let node: KiemNode
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            let outcome = await node.reload()
            logger.notice("SIGHUP: \(outcome)")
        }
    }
}
