import Foundation
import GRDB
public import KiemCore

/// A node certificate chain the store keeps for verifying an origin's ops.
public struct StoredCertificate: Hashable, Sendable {
    /// The node it certifies.
    public var node: NodeID
    /// The organisation it names.
    public var organisation: OrganisationID
    /// The chain, PEM, leaf first.
    public var chainPEM: String

    /// Creates a record.
    public init(node: NodeID, organisation: OrganisationID, chainPEM: String) {
        self.node = node
        self.organisation = organisation
        self.chainPEM = chainPEM
    }
}

extension KiemStore {
    /// Where every origin's verified chain ends: the chain hash stored with
    /// the op at its version vector entry. An origin whose head op was
    /// applied without a proof is left out.
    public func chainHeads() throws -> [NodeID: OriginChainState] {
        try perform { pool in
            try pool.read { db in
                var heads: [NodeID: OriginChainState] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT v.origin, v.seq, op.chain FROM version_vector v
                    JOIN origin o ON o.node = v.origin
                    JOIN op ON op.id = (o.number << 40) | v.seq
                    WHERE op.chain IS NOT NULL
                    """)
                while let row = try rows.next() {
                    let chain = try row.withUnsafeData(atIndex: 2) { $0.map { [UInt8]($0) } ?? [] }
                    heads[try NodeID(row[0] as String)] = OriginChainState(
                        seq: UInt64(bitPattern: row[1] as Int64), chain: chain)
                }
                return heads
            }
        }
    }

    /// The chain hashes stored with `origin`'s ops in `seqs`, by seq (an op
    /// stored without a proof, or not stored, is absent).
    public func chains(of origin: NodeID, seqs: ClosedRange<UInt64>) throws -> [UInt64: [UInt8]] {
        try perform { pool in
            try pool.read { db in
                var chains: [UInt64: [UInt8]] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT op.seq, op.chain FROM origin o JOIN op ON op.id BETWEEN (o.number << 40) | ? AND (o.number << 40) | ?
                    WHERE o.node = ? AND op.chain IS NOT NULL
                    """, arguments: [Int64(bitPattern: seqs.lowerBound), Int64(bitPattern: seqs.upperBound), origin.rawValue])
                while let row = try rows.next() {
                    chains[UInt64(bitPattern: row[0] as Int64)] = try row.withUnsafeData(atIndex: 1) { $0.map { [UInt8]($0) } ?? [] }
                }
                return chains
            }
        }
    }

    /// The newest HLC among the ops at the head of each origin's log, so that
    /// a restarted node's clock continues after everything it holds (zero for
    /// an empty store).
    public func latestHeadTimestamp() throws -> HLCTimestamp {
        try perform { pool in
            try pool.read { db in
                let raw = try Int64.fetchOne(db, sql: """
                    SELECT max(op.hlc) FROM version_vector v
                    JOIN origin o ON o.node = v.origin
                    JOIN op ON op.id = (o.number << 40) | v.seq
                    """) ?? 0
                return HLCTimestamp(rawValue: UInt64(bitPattern: raw))
            }
        }
    }

    /// Records a certificate chain of `certificate.node`, beside the ones it
    /// had (after a key rotation its older ops verify with the older key).
    public func saveCertificate(_ certificate: StoredCertificate) throws {
        try perform { pool in
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO node_certificate (node, organisation, chain_pem) VALUES (?, ?, ?)
                        """,
                    arguments: [certificate.node.rawValue, certificate.organisation.rawValue, certificate.chainPEM])
            }
        }
    }

    /// Every certificate chain the store keeps, by node.
    public func certificates() throws -> [StoredCertificate] {
        try perform { pool in
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT node, organisation, chain_pem FROM node_certificate ORDER BY node").map { row in
                    StoredCertificate(
                        node: try NodeID(row[0] as String), organisation: try OrganisationID(row[1] as String),
                        chainPEM: row[2])
                }
            }
        }
    }
}
