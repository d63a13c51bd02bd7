import Foundation
import GRDB
public import KiemCore

/// The ops a peer lacks, read in batches with keyset pagination over the op
/// id (`id > ? AND id <= ? ORDER BY id LIMIT ?`: an origin's ops are one id
/// range, see migration "v3-op-rowid"), so memory stays bounded
/// by the batch size however many ops are missing. Made by
/// ``KiemStore/missingOps(for:batchSize:)``.
///
/// Ops come per origin in seq order; one batch may finish one origin and
/// start the next. Each batch is read in its own read transaction: ops are
/// never changed once stored, so batches read at different times still form
/// one consistent, gap-free sequence.
public struct MissingOpsCursor: Sendable {
    /// One op as stored: its id, canonical bytes and proof, ready to send
    /// without re-encoding.
    public struct StoredOp: Hashable, Sendable {
        /// The op's id.
        public var id: OpID
        /// ``KiemCore/Op/canonicalBytes``.
        public var canonical: [UInt8]
        /// The origin's chain hash after the op (nil if applied without a proof).
        public var chain: [UInt8]?
        /// The origin's signature over that head, if the store has it.
        public var signature: [UInt8]?

        /// Creates a stored op.
        public init(id: OpID, canonical: [UInt8], chain: [UInt8]?, signature: [UInt8]?) {
            self.id = id
            self.canonical = canonical
            self.chain = chain
            self.signature = signature
        }
    }

    private struct Range: Sendable {
        var origin: NodeID
        /// The last seq already returned (or the peer's vector entry).
        var after: UInt64
        var upTo: UInt64
    }

    private let store: KiemStore
    private var ranges: [Range]
    private var index = 0
    /// The most ops one call returns.
    public let batchSize: Int

    init(store: KiemStore, ranges: [(origin: NodeID, seqs: ClosedRange<UInt64>)], batchSize: Int) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.store = store
        self.ranges = ranges.map { Range(origin: $0.origin, after: $0.seqs.lowerBound - 1, upTo: $0.seqs.upperBound) }
        self.batchSize = batchSize
    }

    /// The number of ops not yet returned.
    public var remaining: UInt64 {
        ranges[index...].reduce(0) { $0 + ($1.upTo - $1.after) }
    }

    /// The next batch of decoded ops, or nil when every missing op was
    /// returned.
    public mutating func next() throws -> [Op]? {
        guard let batch = try nextEncoded() else { return nil }
        do {
            return try batch.map { try Op(canonicalBytes: $0.canonical) }
        } catch {
            throw StoreError(error, path: store.path)
        }
    }

    /// The next batch as canonical bytes, or nil when every missing op was
    /// returned.
    public mutating func nextEncoded() throws -> [StoredOp]? {
        guard index < ranges.count else { return nil }
        let path = store.path
        let size = batchSize
        let start = ranges[index...]
        let (batch, consumed): ([StoredOp], [Range]) = try store.perform { pool in
            try pool.read { db in
                var batch: [StoredOp] = []
                batch.reserveCapacity(min(size, Int(clamping: start.reduce(0) { $0 + ($1.upTo - $1.after) })))
                var consumed: [Range] = []
                let statement = try db.cachedStatement(sql: """
                    SELECT seq, canonical, chain, signature FROM op WHERE id > ? AND id <= ? ORDER BY id LIMIT ?
                    """)
                let numberStatement = try db.cachedStatement(sql: "SELECT number FROM origin WHERE node = ?")
                for var range in start {
                    guard batch.count < size else { break }
                    guard range.upTo <= Migrations.maxSeq,
                          let number = try Int64.fetchOne(numberStatement, arguments: [range.origin.rawValue])
                    else {
                        throw StoreError.corrupt(
                            path: path, reason: "the log of \(range.origin) lacks op \(range.origin):\(range.after + 1)")
                    }
                    let rows = try Row.fetchCursor(statement, arguments: [
                        Migrations.opID(originNumber: number, seq: range.after),
                        Migrations.opID(originNumber: number, seq: range.upTo),
                        size - batch.count,
                    ])
                    while let row = try rows.next() {
                        let seq = UInt64(bitPattern: row[0])
                        guard seq == range.after + 1 else {
                            throw StoreError.corrupt(
                                path: path, reason: "the log of \(range.origin) lacks op \(range.origin):\(range.after + 1)")
                        }
                        let canonical = try row.withUnsafeData(atIndex: 1) { $0.map { [UInt8]($0) } ?? [] }
                        let chain = try row.withUnsafeData(atIndex: 2) { $0.map { [UInt8]($0) } }
                        let signature = try row.withUnsafeData(atIndex: 3) { $0.map { [UInt8]($0) } }
                        batch.append(StoredOp(
                            id: OpID(origin: range.origin, seq: seq), canonical: canonical, chain: chain, signature: signature))
                        range.after = seq
                    }
                    if range.after < range.upTo && batch.count < size {
                        throw StoreError.corrupt(
                            path: path, reason: "the log of \(range.origin) lacks op \(range.origin):\(range.after + 1)")
                    }
                    consumed.append(range)
                }
                return (batch, consumed)
            }
        }
        for range in consumed {
            ranges[index] = range
            if range.after == range.upTo { index += 1 }
        }
        return batch.isEmpty ? nil : batch
    }
}
