import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// Records ``DemoSeed`` in the running federation: each initiative through
/// its owner's own control socket (only the owner edits its initiatives),
/// the regie's endorsements and annotations through the regie's, and the
/// showcase adoption through the adopter's.
struct DemoSeeder: Sendable {
    let topology: DemoTopology

    /// Creates every seed initiative, moves it through its phases and logs
    /// its progress. Returns the initiative ids by seed key.
    func createInitiatives() async throws -> [String: String] {
        var ids: [String: String] = [:]
        for seed in DemoSeed.initiatives {
            let request = Kiem_V1_CreateInitiativeRequest.with {
                $0.title = seed.title
                $0.summary = seed.summary
                $0.description_p = seed.description
                $0.contact = seed.contact
                $0.phase = seed.phases[0]
                $0.themes = seed.themes
                $0.links = seed.links.map { link in Kiem_V1_Link.with { $0.title = link.title; $0.url = link.url } }
                $0.derivedFrom = seed.derivedFrom.flatMap { ids[$0] } ?? ""
            }
            ids[seed.key] = try await topology[seed.owner].withControl("recording '\(seed.title)'") { control in
                let id = try await control.call(ControlAPI.createInitiative, request).initiative.id
                for phase in seed.phases.dropFirst() {
                    _ = try await control.call(ControlAPI.setPhase, Kiem_V1_SetPhaseRequest.with {
                        $0.id = id
                        $0.phase = phase
                        $0.lessonsLearned = phase == .stopped ? seed.lessonsLearned : ""
                    })
                }
                for entry in seed.progress {
                    _ = try await control.call(ControlAPI.logProgress, Kiem_V1_LogProgressRequest.with {
                        $0.id = id
                        $0.date = entry.date
                        $0.text = entry.text
                        $0.metrics = entry.metrics.map { metric in
                            Kiem_V1_Metric.with {
                                $0.name = metric.name
                                $0.value = metric.value
                                $0.unit = metric.unit
                            }
                        }
                    })
                }
                return id
            }
        }
        return ids
    }

    /// Records the regie's endorsements and annotations (the initiatives
    /// must have reached it).
    func steer(_ ids: [String: String]) async throws {
        try await topology["regie"].withControl("endorsing and annotating") { control in
            for endorsement in DemoSeed.endorsements {
                _ = try await control.call(ControlAPI.endorse, Kiem_V1_EndorseRequest.with {
                    $0.id = ids[endorsement.key] ?? ""
                    $0.endorsed = true
                    $0.note = endorsement.note
                })
            }
            for annotation in DemoSeed.annotations {
                _ = try await control.call(ControlAPI.annotate, Kiem_V1_AnnotateRequest.with {
                    $0.id = ids[annotation.key] ?? ""
                    $0.label = annotation.label
                    $0.priority = annotation.priority
                    $0.note = annotation.note
                })
            }
        }
    }

    /// Records the showcase adoption at the adopter and measures how long it
    /// takes to become visible at every other node (polling each node's
    /// GetInitiative from before the write). Returns the adopted initiative
    /// and the arrival time per node, in the topology's order.
    func adopt(_ ids: [String: String], seconds: Double) async throws -> (initiative: Kiem_V1_Initiative, arrivals: [(DemoNode, Duration)]) {
        let adoption = DemoSeed.adoption
        let id = ids[adoption.key] ?? ""
        let adopter = topology[adoption.adopter]
        let others = topology.nodes.filter { $0.name != adopter.name }
        return try await withThrowingTaskGroup(of: (String, ContinuousClock.Instant).self) { group in
            for node in others {
                group.addTask {
                    (node.name, try await Self.waitUntilVisible(adoption, of: id, at: node, seconds: seconds))
                }
            }
            let start = ContinuousClock.now
            let response = try await adopter.withControl("adopting") { control in
                try await control.call(ControlAPI.adopt, Kiem_V1_AdoptRequest.with {
                    $0.id = id
                    $0.status = adoption.status
                    $0.note = adoption.note
                })
            }
            var arrived: [String: ContinuousClock.Instant] = [:]
            for try await (name, instant) in group { arrived[name] = instant }
            return (response.initiative, others.map { ($0, arrived[$0.name]! - start) })
        }
    }

    /// Polls the node until its copy of initiative `id` shows `adoption`;
    /// returns when it saw it.
    private static func waitUntilVisible(
        _ adoption: DemoSeed.Adoption, of id: String, at node: DemoNode, seconds: Double
    ) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + .seconds(seconds)
        return try await node.withControl("waiting for the adoption") { control in
            while ContinuousClock.now < deadline {
                let initiative = try await control.call(ControlAPI.getInitiative, Kiem_V1_GetInitiativeRequest.with { $0.id = id }).initiative
                if initiative.adoptions.contains(where: { $0.organisation == adoption.adopter && $0.status == adoption.status }) {
                    return ContinuousClock.now
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            throw KiemctlFailure("\(adoption.adopter)'s adoption did not reach \(node.name) within \(Int(seconds)) s (see \(node.logPath))")
        }
    }
}
