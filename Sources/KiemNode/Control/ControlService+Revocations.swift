import Foundation
import KiemProtocol
import KiemWire
import KiemTransport
import SwiftProtobuf

extension ControlService {
    /// `kiemctl revocations add`: checks the revocation against the trust
    /// roots, stores and applies it, closes the revoked peers' sessions at
    /// once and lets the exchanges pass it on.
    func addRevocation(_ request: Kiem_V1_SignedRevocation) async throws -> Kiem_V1_AddRevocationResponse {
        let added: RevocationBook.Added?
        do {
            added = try await replicator.revocations.add(request, from: "kiemctl")
        } catch .full {
            throw RPCError(code: .resourceExhausted, message: RevocationBook.Refusal.full.description)
        } catch .invalid(.badSignature) {
            // A well-formed revocation this federation's CA did not sign: refused, not a usage error.
            throw RPCError(code: .permissionDenied, message: RevocationBook.Refusal.invalid(.badSignature).description)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
        let closed = added == nil ? 0 : revocationEnforcer.enforce()
        let body = try? Kiem_V1_Revocation(serializedBytes: request.revocation)
        return Kiem_V1_AddRevocationResponse.with {
            $0.added = added != nil
            if let body { $0.revocation = body }
            $0.rejectedOps = UInt64(added?.rejectedOps ?? 0)
            $0.closedConnections = UInt64(closed)
        }
    }

    /// `kiemctl revocations list`.
    func listRevocations() -> Kiem_V1_ListRevocationsResponse {
        let received = replicator.revocations.receivedMillis
        return Kiem_V1_ListRevocationsResponse.with {
            $0.revocations = replicator.revocations.all.map { held in
                Kiem_V1_RevocationEntry.with {
                    $0.revocation = held.revocation.proto
                    $0.id = held.hexID
                    $0.receivedMillis = received[held.id] ?? 0
                }
            }
        }
    }
}
