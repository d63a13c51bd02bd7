import KiemClient
import KiemProtocol
import KiemTransport
import KiemWire
import SwiftProtobuf

extension ControlClient {
    /// The initiative `id`, with its history if asked for.
    /// - Throws: `RPCError` `NOT_FOUND` when the node does not hold it.
    func initiative(_ id: String, history: Bool = false) async throws -> Kiem_V1_GetInitiativeResponse {
        try await call(ControlAPI.getInitiative, Kiem_V1_GetInitiativeRequest.with {
            $0.id = id
            $0.includeHistory = history
        })
    }

    /// The initiative `id`; nil when the node does not hold it (yet).
    func initiativeIfHeld(_ id: String) async throws -> Kiem_V1_Initiative? {
        do {
            return try await initiative(id).initiative
        } catch let error as RPCError where error.code == .notFound {
            return nil
        }
    }
}
