import KiemCore
import KiemProtocol
import KiemWire
import KiemTransport
import Logging
import SwiftProtobuf

/// The `kiem.v1.Sync/Revocations` call on both sides (WIRE.md section 17):
/// the dialler of a session sends every revocation it holds, the server
/// keeps the new ones and answers with those the dialler lacks, then sends
/// each revocation it learns later. When the dialler learns one, it calls
/// again. So a revocation added on one node reaches every node connected to
/// it through any chain of live sessions, whichever side dialled.
enum RevocationExchange {
    /// Serves one call: takes in `request`, answers what the caller lacks,
    /// then sends new revocations until the call is cancelled.
    /// - Throws: `INVALID_ARGUMENT` for a revocation that does not verify,
    ///   `RESOURCE_EXHAUSTED` for more than the node may hold.
    static func serve(
        _ request: Kiem_V1_RevocationSet, from peer: PeerIdentity, book: RevocationBook, maxMessageBytes: Int,
        write: (Kiem_V1_RevocationSet) async throws -> Void
    ) async throws {
        guard request.revocations.count <= RevocationBook.capacity else {
            throw RPCError(code: .resourceExhausted,
                           message: "\(request.revocations.count) revocations; a node holds at most \(RevocationBook.capacity)")
        }
        var known = try await take(request, from: peer, book: book)
        var first = true
        while !Task.isCancelled {
            let generation = book.changes.generation
            let missing = book.missing(from: known)
            if first || !missing.isEmpty {
                for message in messages(missing.map(\.signed), maxMessageBytes: maxMessageBytes, alwaysOne: first) {
                    try await write(message)
                }
            }
            first = false
            known.formUnion(missing.map(\.id))
            await book.changes.wait(after: generation)
        }
    }

    /// Runs the dialler's side on a session until it is cancelled: calls,
    /// takes in what the server sends, and calls again whenever this node
    /// learns a revocation (from anywhere). A server that does not serve
    /// the method (an older kiemd) is left alone.
    static func call(_ client: RPCClient, peer: PeerIdentity, book: RevocationBook, logger: Logger) async throws {
        while !Task.isCancelled {
            let generation = book.changes.generation
            let offered = messages(book.all.map(\.signed), maxMessageBytes: client.maximumMessageSize, alwaysOne: true)[0]
            do {
                try await withThrowingTaskGroup(of: Void.self) { race in
                    race.addTask {
                        try await client.serverStreaming(SyncAPI.revocations, request: offered) { responses in
                            for try await message in responses {
                                _ = try await take(message, from: peer, book: book)
                            }
                        }
                        throw RPCError(code: .unavailable, message: "the peer ended the revocation exchange")
                    }
                    race.addTask { await book.changes.wait(after: generation) }
                    defer { race.cancelAll() }
                    try await race.next()
                }
            } catch let error as RPCError where error.code == .unimplemented {
                logger.notice("the peer does not exchange revocations (an older kiemd)")
                // Nothing to do on this session: wait, unnotified, until it ends.
                await ChangeSignal().wait(after: 0)
            }
        }
    }

    /// Takes in every revocation of `message`.
    /// - Returns: the ids of them all.
    private static func take(
        _ message: Kiem_V1_RevocationSet, from peer: PeerIdentity, book: RevocationBook
    ) async throws -> Set<[UInt8]> {
        var ids: Set<[UInt8]> = []
        for signed in message.revocations {
            do {
                _ = try await book.add(signed, from: "peer \(peer.node)")
            } catch .full {
                throw RPCError(code: .resourceExhausted, message: RevocationBook.Refusal.full.description)
            } catch {
                throw RPCError(code: .invalidArgument, message: error.description)
            }
            ids.insert(signed.revocationID)
        }
        return ids
    }

    /// `revocations` in as few messages of at most `maxMessageBytes` as
    /// they fit (one empty message if there are none and `alwaysOne`).
    static func messages(
        _ revocations: [Kiem_V1_SignedRevocation], maxMessageBytes: Int, alwaysOne: Bool
    ) -> [Kiem_V1_RevocationSet] {
        var messages: [Kiem_V1_RevocationSet] = []
        var current = Kiem_V1_RevocationSet()
        var bytes = 0
        for signed in revocations {
            // A repeated field entry: its tag and length, then two fields with
            // theirs (at most 3 bytes each: a revocation is under 2 KiB).
            let entry = 1 + 3 + signed.revocation.count + signed.signature.count + 6
            if bytes + entry > maxMessageBytes, !current.revocations.isEmpty {
                messages.append(current)
                current = Kiem_V1_RevocationSet()
                bytes = 0
            }
            current.revocations.append(signed)
            bytes += entry
        }
        if !current.revocations.isEmpty || (alwaysOne && messages.isEmpty) { messages.append(current) }
        return messages
    }
}
