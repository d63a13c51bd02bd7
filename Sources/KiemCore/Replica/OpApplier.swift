/// Judges and applies ops against an ``ApplyContext``: duplicates are
/// skipped, each op is judged by ``Rules``, and every decision that releases
/// held ops (a creation arriving, a named op decided) judges those ops in turn.
public enum OpApplier {
    /// Applies `ops` in order and returns what happened.
    public static func apply<Context: ApplyContext>(
        _ ops: some Sequence<Op>, to context: inout Context
    ) throws -> ApplyOutcome {
        var outcome = ApplyOutcome()
        for op in ops {
            guard try !context.contains(op.id) else {
                outcome.duplicates += 1
                continue
            }
            try decide(op, in: &context, outcome: &outcome)
        }
        return outcome
    }

    private static func decide<Context: ApplyContext>(
        _ first: Op, in context: inout Context, outcome: inout ApplyOutcome
    ) throws {
        // `first`, then what its decisions released, last released first.
        // The first op is kept out of the array, which usually stays empty
        // and then costs no allocation.
        var next: Op? = first
        var pending: [Op] = []
        while let op = next ?? pending.popLast() {
            next = nil
            let verdict = try judge(op, in: &context)
            switch verdict {
            case .accept:
                try context.accept(op)
                outcome.accepted.append(op)
                if !outcome.held.isEmpty { outcome.held[op.id] = nil }
                if case .create = op.mutation {
                    pending += try context.releaseHeld(.initiative(op.initiative)).reversed()
                }
                pending += try context.releaseHeld(.op(op.id)).reversed()
            case let .reject(rejection):
                try context.reject(op, because: rejection)
                outcome.rejected.append((op, rejection))
                if !outcome.held.isEmpty { outcome.held[op.id] = nil }
                pending += try context.releaseHeld(.op(op.id)).reversed()
            case let .hold(key):
                try context.hold(op, until: key)
                outcome.held[op.id] = key
            }
        }
    }

    private static func judge<Context: ApplyContext>(_ op: Op, in context: inout Context) throws -> Verdict {
        var referenced: (id: OpID, op: ReferencedOp)?
        if case let .addProgress(_, adoption?) = op.mutation {
            let byOther = try context.withInitiative(op.initiative) { initiative in
                initiative.map { op.author != $0.owner } ?? false
            }
            if byOther { referenced = (adoption, try context.reference(adoption)) }
        }
        let reference = referenced
        let revocations = context.revocations
        return try context.withInitiative(op.initiative) { initiative in
            Rules.judge(op, initiative: initiative, revocations: revocations) { id in
                reference?.id == id ? reference!.op : .unknown
            }
        }
    }
}
