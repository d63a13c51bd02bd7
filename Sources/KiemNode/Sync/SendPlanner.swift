import Foundation
import KiemCore
import KiemProtocol
import KiemStore
import SwiftProtobuf

/// Decides what each outgoing `OpBatch` of one stream holds: a value with
/// no I/O. The shell (``Replicator/send(to:live:limits:origins:write:)``)
/// feeds it the ops the peer lacks, in the store's per-origin order, and
/// sends what it plans.
///
/// Every batch is verifiable on its own (WIRE.md section 13): each origin
/// run in it ends at an op whose signature the store holds, or at the end of
/// a quarantined origin's log (which its proof of equivocation vouches for,
/// sent on the stream before), and only run ends carry their signature. Every batch fits the receiver's limits
/// exactly, counted in encoded protobuf bytes with the certificates it
/// carries: the planner cuts at the last signed op that fits, and refuses
/// with ``BatchTooLarge`` when even one signed span does not.
struct SendPlanner {
    /// One batch to send.
    struct Batch: Equatable {
        /// The ops, each with whether it carries its signature.
        var ops: [(op: MissingOpsCursor.StoredOp, signed: Bool)]
        /// Certificates of origins this stream had not carried before.
        var certificates: [Kiem_V1_NodeCertificate]
        /// The encoded size of the `OpBatch`, in bytes.
        var encodedBytes: Int

        static func == (lhs: Batch, rhs: Batch) -> Bool {
            lhs.ops.elementsEqual(rhs.ops) { $0.op == $1.op && $0.signed == $1.signed }
                && lhs.certificates == rhs.certificates && lhs.encodedBytes == rhs.encodedBytes
        }

        /// The wire message.
        var message: Kiem_V1_OpBatch {
            var message = Kiem_V1_OpBatch()
            message.ops = ops.map { WireOps.proto($0.op, signed: $0.signed) }
            message.certificates = certificates
            return message
        }
    }

    /// What the shell does next.
    enum Step: Equatable {
        /// Send this batch.
        case send(Batch)
        /// Read more ops from the store and ``add(_:)`` them, or call
        /// ``finishInput()`` when there are none.
        case needOps
        /// Everything fed was sent.
        case done
    }

    /// How many ops the shell reads from the store at a time.
    static let readBatchSize = 5_000

    let limits: BatchLimits
    /// Where each quarantined origin's log ends: a run may end there unsigned.
    private var anchors: [NodeID: UInt64]
    private var pending: [MissingOpsCursor.StoredOp] = []
    private var start = 0
    private var inputFinished = false
    /// Origins whose certificate this stream carried (or could not).
    private var certified: Set<NodeID> = []

    /// - Parameter anchors: the seq at which each quarantined origin's log
    ///   ends (the seq before its proof's).
    init(limits: BatchLimits, anchors: [NodeID: UInt64] = [:]) {
        self.limits = limits
        self.anchors = anchors
    }

    /// Adds ops the peer lacks, continuing the order of those added before.
    mutating func add(_ ops: [MissingOpsCursor.StoredOp]) {
        if start > 0, start >= pending.count / 2 {
            pending.removeFirst(start)
            start = 0
        }
        pending += ops
    }

    /// Says the store has no more ops to add for this round.
    mutating func finishInput() { inputFinished = true }

    /// Starts a new round (a live stream after the store changed): forgets
    /// the ops fed so far, keeps which certificates the stream carried.
    /// - Parameter anchors: as for ``init(limits:anchors:)``, now.
    mutating func restart(anchors: [NodeID: UInt64]) {
        self.anchors = anchors
        pending = []
        start = 0
        inputFinished = false
    }

    /// The next step.
    /// - Parameter certificate: an origin's certificate, if the node has it.
    /// - Throws: ``BatchTooLarge`` when the next signed span does not fit.
    mutating func next(certificates certificatesOf: (NodeID) -> [Kiem_V1_NodeCertificate]) throws(BatchTooLarge) -> Step {
        guard start < pending.count else { return inputFinished ? .done : .needOps }
        var bytes = 0
        var certificates: [Kiem_V1_NodeCertificate] = []
        var origins: Set<NodeID> = []
        var best: (end: Int, bytes: Int, certificates: Int)?
        var index = start
        while index < pending.count {
            let op = pending[index]
            let origin = op.id.origin
            if index > start, pending[index - 1].id.origin != origin {
                // The previous run ends inside the batch: it carries its
                // signature (the store holds one for every origin's newest op).
                guard canEndRun(pending[index - 1]) else { break }
                bytes += Self.signatureBytes(pending[index - 1])
            }
            if !certified.contains(origin), origins.insert(origin).inserted {
                for attached in certificatesOf(origin) {
                    certificates.append(attached)
                    bytes += Self.fieldBytes(attached.serializedByteCount)
                }
            }
            bytes += Self.entryBytes(op, signed: false)
            let count = index - start + 1
            let total = bytes + (canEndRun(op) ? Self.signatureBytes(op) : 0)
            if total > limits.maxMessageBytes || count > (limits.maxOps ?? Int.max) {
                guard best != nil else {
                    let overOps = count > (limits.maxOps ?? Int.max)
                    throw BatchTooLarge(origin: pending[start].id.origin, firstSeq: pending[start].id.seq,
                                        needed: overOps ? count : total,
                                        limit: overOps ? limits.maxOps! : limits.maxMessageBytes, countsOps: overOps)
                }
                break
            }
            if canEndRun(op) {
                best = (index + 1, total, certificates.count)
                if total >= limits.targetBytes || count >= limits.targetOps { break }
            }
            index += 1
        }
        if index == pending.count, !inputFinished {
            // The batch could grow with more ops, or must: its span is not closed yet.
            return .needOps
        }
        guard let best else {
            // Fed ops end without a signed op: the store was written without
            // proofs up to its head, which kiemd never does.
            throw BatchTooLarge(origin: pending[start].id.origin, firstSeq: pending[start].id.seq,
                                needed: bytes, limit: 0, countsOps: false)
        }
        let ops = pending[start..<best.end].enumerated().map { offset, op in
            let next = start + offset + 1
            return (op: op, signed: next == best.end || pending[next].id.origin != op.id.origin)
        }
        let attached = Array(certificates.prefix(best.certificates))
        for op in ops { certified.insert(op.op.id.origin) }
        start = best.end
        return .send(Batch(ops: ops, certificates: attached, encodedBytes: best.bytes))
    }

    /// What a peer is taken to hold, from the vector it announced and the
    /// chain hashes it announced with it: an origin whose chain hash at the
    /// announced seq differs from this node's head at the same seq counts as
    /// not held, because the two hold different histories of it (it signed
    /// both). Sending that origin's log from its start lets the peer find
    /// where they part and keep the proof (WIRE.md section 13, "Equivocation").
    /// - Returns: the vector to send against, and the origins left out.
    static func knowledge(
        announced: VersionVector, chains: [NodeID: [UInt8]], heads: [NodeID: OriginChainState]
    ) -> (known: VersionVector, diverged: [NodeID]) {
        let diverged = chains.compactMap { origin, chain -> NodeID? in
            guard let head = heads[origin], head.seq == announced[origin], head.chain != chain else { return nil }
            return origin
        }.sorted()
        guard !diverged.isEmpty else { return (announced, []) }
        return (VersionVector(announced.entries.filter { !diverged.contains($0.key) }), diverged)
    }

    /// Whether an op may end a run: the store holds its signature, it ends
    /// a quarantined origin's log, or it was stored without any proof (tests
    /// and benchmarks seed stores so).
    func canEndRun(_ op: MissingOpsCursor.StoredOp) -> Bool {
        op.signature != nil || op.chain == nil || anchors[op.id.origin] == op.id.seq
    }

    /// The encoded size of an op as one `OpBatch.ops` entry, without its signature.
    static func entryBytes(_ op: MissingOpsCursor.StoredOp, signed: Bool) -> Int {
        var message = fieldBytes(op.canonical.count)
        if let chain = op.chain, !chain.isEmpty { message += fieldBytes(chain.count) }
        if signed, let signature = op.signature, !signature.isEmpty { message += fieldBytes(signature.count) }
        return fieldBytes(message)
    }

    /// What carrying its signature adds to an op's entry.
    static func signatureBytes(_ op: MissingOpsCursor.StoredOp) -> Int {
        entryBytes(op, signed: true) - entryBytes(op, signed: false)
    }

    /// The encoded size of a length-delimited protobuf field (tag below 16)
    /// holding `length` bytes.
    static func fieldBytes(_ length: Int) -> Int {
        1 + varintBytes(length) + length
    }

    static func varintBytes(_ value: Int) -> Int {
        var value = UInt64(value)
        var bytes = 1
        while value >= 0x80 {
            value >>= 7
            bytes += 1
        }
        return bytes
    }
}

extension Kiem_V1_NodeCertificate {
    /// The encoded size of the message.
    var serializedByteCount: Int {
        (try? serializedBytes() as [UInt8])?.count ?? 0
    }
}
