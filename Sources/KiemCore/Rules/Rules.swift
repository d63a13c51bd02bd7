/// Authorization and validation as a pure function of an op and the replica.
///
/// A decision depends only on the op, its initiative's create op and ops the op
/// names explicitly, all immutable, so every replica decides the same whatever
/// order ops arrive in. An op whose initiative or named op has not arrived is
/// held, never dropped. The one input that grows is the set of revocations
/// (``RevocationCutoffs``): a replica that learns a new one decides every
/// stored op again, so replicas holding the same revocations agree.
public enum Rules {
    /// Judges `op`.
    /// - Parameters:
    ///   - initiative: the op's initiative on this replica, or nil if its
    ///     create op has not been accepted.
    ///   - revocations: the revocations the replica holds: an op written at
    ///     or after its origin's or author's revocation is rejected.
    ///   - reference: what the replica knows about an op the judged op names.
    public static func judge(
        _ op: Op, initiative: Initiative?, revocations: RevocationCutoffs = RevocationCutoffs(),
        reference: (OpID) -> ReferencedOp
    ) -> Verdict {
        if revocations.revokes(op) {
            return .reject(Rejection(.revoked, "\(op.origin) of \(op.author) was revoked before it wrote this op"))
        }
        if let problem = Validation.problem(in: op.mutation) {
            return .reject(Rejection(.invalidValue, problem))
        }
        if case .create = op.mutation {
            return judgeCreate(op, existing: initiative)
        }
        guard let initiative else { return .hold(.initiative(op.initiative)) }
        switch op.mutation {
        case .create:
            preconditionFailure("handled above")
        case .setText, .setPhase, .addElement, .removeElement, .setArchived:
            guard op.author == initiative.owner else {
                return .reject(Rejection(.ownerOnly, "only \(initiative.owner) may edit this initiative"))
            }
            return .accept
        case .setAdoption, .setEndorsement:
            guard op.author != initiative.owner else {
                let what = op.mutation.kind == "setAdoption" ? "adopt" : "endorse"
                return .reject(Rejection(.notOnOwnInitiative, "\(op.author) cannot \(what) its own initiative"))
            }
            return .accept
        case let .addProgress(_, adoption):
            return judgeProgress(op, initiative: initiative, adoption: adoption, reference: reference)
        case .setAnnotation:
            // An annotation is its author's own entry: any organisation may
            // file any initiative, its own included, in its portfolio.
            return .accept
        }
    }

    private static func judgeCreate(_ op: Op, existing: Initiative?) -> Verdict {
        guard op.initiative == InitiativeID(timestamp: op.hlc, node: op.origin) else {
            return .reject(Rejection(.initiativeIDMismatch,
                "initiative id \(op.initiative) was not made by \(op.origin) at \(op.hlc)"))
        }
        if let existing {
            return .reject(Rejection(.alreadyCreated, "initiative \(op.initiative) was already created by op \(existing.createdBy)"))
        }
        return .accept
    }

    private static func judgeProgress(
        _ op: Op, initiative: Initiative, adoption: OpID?, reference: (OpID) -> ReferencedOp
    ) -> Verdict {
        if op.author == initiative.owner { return .accept }
        let refusal = Rejection(.progressNeedsAdoption,
            "only \(initiative.owner) or an organisation that adopted this initiative may log progress on it")
        guard let adoption else { return .reject(refusal) }
        switch reference(adoption) {
        case .unknown:
            return .hold(.op(adoption))
        case .rejected:
            return .reject(refusal)
        case let .accepted(adoptionOp):
            guard adoptionOp.initiative == op.initiative, adoptionOp.author == op.author,
                  case let .setAdoption(entry, _) = adoptionOp.mutation, entry.status.isActive
            else { return .reject(refusal) }
            return .accept
        }
    }
}
