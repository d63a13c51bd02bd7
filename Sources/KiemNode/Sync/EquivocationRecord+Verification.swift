import KiemCore
import KiemStore

extension EquivocationRecord {
    /// Checks that the record proves what it claims (WIRE.md section 13,
    /// "Equivocation"): two runs of `origin`'s ops, each from `seq` to an op
    /// carrying the origin's signature, each linking to the chain from
    /// `previousChain`, that differ at `seq`. Nothing but the origin's key
    /// can make both, so a relay that passes on a valid proof is not to blame.
    /// - Throws: ``IngestError/malformed(_:)`` for a record that does not
    ///   have that shape, ``IngestError/integrity(_:)`` for a run that does
    ///   not verify.
    func verify(identity: OriginIdentity) throws(IngestError) {
        guard origin == identity.node else {
            throw .malformed("an equivocation proof of \(origin) checked against \(identity.node)'s certificate")
        }
        let first = OpID(origin: origin, seq: seq)
        guard let held = held.first, let offered = offered.first, held.op.id == first, offered.op.id == first else {
            throw .malformed("an equivocation proof of \(origin) at seq \(seq) whose runs do not both start at \(first)")
        }
        guard let heldChain = held.proof?.chain, let offeredChain = offered.proof?.chain, heldChain != offeredChain else {
            throw .malformed("an equivocation proof of \(origin) at seq \(seq) whose runs do not differ at \(first)")
        }
        let before = OriginChainState(seq: seq - 1, chain: previousChain)
        for run in [self.held, self.offered] {
            _ = try IngestPlanner.verifyRun(run[...], after: before, identity: identity)
        }
    }
}
