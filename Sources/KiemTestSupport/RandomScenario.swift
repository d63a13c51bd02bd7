package import KiemCore

/// A random federation history for property tests: 3 to 5 nodes (two of them
/// may share an organisation) write, edit, adopt, endorse, annotate, log
/// progress and sync partially with each other, so writes are genuinely concurrent. Some
/// ops deliberately break a rule. Everything follows from the seed.
package struct RandomScenario: Sendable {
    /// The seed that reproduces this scenario.
    package let seed: UInt64
    /// Every op written, per origin in seq order.
    package let ops: [Op]
    /// Ops written on purpose to break a rule.
    package let intendedViolations: Set<OpID>
    /// The nodes at the end, each with its own partial replica.
    package let nodes: [SimulatedNode]

    private static let organisations = ["uwv", "svb", "rws", "belastingdienst", "duo"]
    private static let themes = ["ai", "mpc", "robotica", "inkoop", "data"]
    private static let labels = ["werkagenda-2027", "versnellen", ""]

    /// Generates the scenario for `seed` with `steps` actions.
    package init(seed: UInt64, steps: Int = 40) {
        self.seed = seed
        var rng = SeededGenerator(seed: seed)
        let nodeCount = Int.random(in: 3...5, using: &rng)
        var nodes = (0..<nodeCount).map { index in
            // The last node of a 5-node federation shares the first's organisation.
            let organisation = Self.organisations[index == 4 ? 0 : index]
            return SimulatedNode("\(organisation)-\(index + 1)", organisation: organisation)
        }
        var violations: Set<OpID> = []
        for _ in 0..<steps {
            let index = Int.random(in: 0..<nodeCount, using: &rng)
            if Int.random(in: 0..<100, using: &rng) < 20 {
                let source = nodes[Int.random(in: 0..<nodeCount, using: &rng)]
                let received = source.replica.receivedOps
                nodes[index].receive(received.filter { _ in Int.random(in: 0..<4, using: &rng) > 0 })
            } else if let violation = Self.act(node: &nodes[index], rng: &rng) {
                violations.insert(violation)
            }
            nodes[index].advance(millis: UInt64.random(in: 0...3, using: &rng))
        }
        self.nodes = nodes
        self.ops = nodes.flatMap { node in
            node.replica.receivedOps.filter { $0.origin == node.id }
        }
        intendedViolations = violations
    }

    /// The ops in a random order with some delivered twice.
    package func shuffledDelivery(using rng: inout SeededGenerator) -> [Op] {
        var delivery = ops
        delivery += ops.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }
        delivery.shuffle(using: &rng)
        return delivery
    }

    /// Performs one random write; returns the op id if it was meant to break a rule.
    private static func act(node: inout SimulatedNode, rng: inout SeededGenerator) -> OpID? {
        let known = node.replica.initiatives.values.sorted { $0.id < $1.id }
        let own = known.filter { $0.owner == node.organisation }
        let others = known.filter { $0.owner != node.organisation }
        let roll = Int.random(in: 0..<100, using: &rng)
        let theme = themes.randomElement(using: &rng)!
        switch roll {
        case 0..<20:
            let derived = known.isEmpty || Bool.random(using: &rng) ? nil : known.randomElement(using: &rng)?.id
            // One to three themes: removing one of a creation's themes must
            // leave the others (they share the create op's tag).
            let drafted = Array(Set((0..<Int.random(in: 1...3, using: &rng)).map { _ in themes.randomElement(using: &rng)! }))
                .sorted()
            node.create(InitiativeDraft(title: "Initiatief \(roll)", summary: "Samenvatting", themes: drafted, derivedFrom: derived))
        case 20..<45 where !own.isEmpty:
            let target = own.randomElement(using: &rng)!.id
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: node.setText(target, .title, "Titel \(Int.random(in: 0..<1000, using: &rng))")
            case 1: node.setText(target, .summary, "Samenvatting \(Int.random(in: 0..<1000, using: &rng))")
            case 2: node.setPhase(target, PhaseValue(Phase.allCases.filter { $0 != .stopped }.randomElement(using: &rng)!))
            case 3: node.add(target, .themes, theme)
            case 4: node.remove(target, .themes, theme)
            default: node.setPhase(target, PhaseValue(.stopped, lessonsLearned: "Te duur voor de winst"))
            }
        case 45..<55 where !others.isEmpty:
            return node.setText(others.randomElement(using: &rng)!.id, .title, "Overgenomen").id
        case 55..<67 where !others.isEmpty:
            node.adopt(others.randomElement(using: &rng)!.id, AdoptionStatus.allCases.randomElement(using: &rng)!)
        case 67..<72 where !others.isEmpty:
            node.endorse(others.randomElement(using: &rng)!.id, Bool.random(using: &rng))
        case 72..<85 where !known.isEmpty:
            node.logProgress(known.randomElement(using: &rng)!.id, ProgressEntry(date: "2026-11-\(10 + roll % 18)", text: "Stap gezet"))
        case 85..<90 where !own.isEmpty:
            return node.adopt(own.randomElement(using: &rng)!.id, .adopted).id
        case 90..<94 where !own.isEmpty:
            return node.setPhase(own.randomElement(using: &rng)!.id, PhaseValue(.stopped)).id
        case 94..<97 where !others.isEmpty:
            let target = others.randomElement(using: &rng)!.id
            return node.write(target, .addProgress(ProgressEntry(date: "2026-11-29", text: "Zonder adoptie"), adoption: nil)).id
        case 97..<100 where !known.isEmpty:
            let annotation = Annotation(
                label: labels.randomElement(using: &rng)!,
                priority: Annotation.Priority.allCases.randomElement(using: &rng)!)
            node.annotate(known.randomElement(using: &rng)!.id, annotation)
        default:
            node.create(InitiativeDraft(title: "Idee \(roll)", themes: [theme]))
        }
        return nil
    }
}
