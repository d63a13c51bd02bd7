import KiemClient
import KiemProtocol
import KiemTransport

extension DemoNode {
    /// Runs `body` on a connection to the node's control socket; a failure
    /// becomes a ``KiemctlFailure`` naming `what` was being done, the node
    /// and its log.
    func withControl<Result: Sendable>(
        _ what: String, _ body: (ControlClient) async throws -> Result
    ) async throws -> Result {
        do {
            return try await ControlClient.withConnection(socket: socketPath, body)
        } catch let error as KiemctlFailure {
            throw error
        } catch {
            throw KiemctlFailure("\(what) on \(name) failed: \(error) (see \(logPath))")
        }
    }

    /// The node's status.
    func status() async throws -> Kiem_V1_StatusResponse {
        try await withControl("asking for the status") { control in
            try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
        }
    }
}
