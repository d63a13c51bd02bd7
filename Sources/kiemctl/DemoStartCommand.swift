import ArgumentParser
import Foundation
import KiemProtocol

/// `kiemctl demo [start]`: sets up and runs the demo federation.
struct DemoStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Set up the demo federation and run it until Ctrl-C (the default).",
        discussion: """
            Without --dir the demo goes into a new temporary folder, printed at the start. DIR must be \
            new or empty: the demo always sets up a new federation. To run an earlier demo's nodes again, \
            start each with `kiemd --config DIR/<node>/kiemd.toml`.

            Exit status 0 when the nodes run (--no-wait) or were stopped after Ctrl-C; 1 when a step \
            failed (the nodes are then stopped; the message names the log to read) or --no-wait was \
            interrupted.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The demo folder: a new or empty folder. Default: a new temporary folder.", valueName: "dir"))
    var dir: String?

    @Flag(name: .long, help: "Return once every node has converged, leaving the nodes running (stop them with `kiemctl demo stop --dir DIR`).")
    var noWait = false

    func run() async throws {
        let kiemd = try DemoDaemons.locateKiemd()
        let topology = try DemoTopology(folder: try DemoSetup.prepareFolder(dir))
        let kiemctl = DemoDaemons.kiemctlCommand
        let noWait = noWait
        let finished: Bool
        do {
            finished = try await Interruption.untilInterrupted {
                try await Self.runFederation(topology, kiemd: kiemd)
                guard !noWait else { return }
                Self.say("Running until Ctrl-C; then every node is stopped.")
                while true { try await Task.sleep(for: .seconds(3_600)) }
            }
        } catch {
            Self.say("Stopping the nodes after an error:")
            _ = await DemoStopCommand.stopAll(topology.nodes)
            throw error
        }
        if finished {
            Self.say("The nodes keep running. Stop them with: \(kiemctl) demo stop --dir \(topology.folder)")
            return
        }
        Self.say("\nStopping the nodes:")
        let stopped = await DemoStopCommand.stopAll(topology.nodes)
        Self.say(DemoGuide.dataLocation(topology, kiemd: kiemd.command))
        if !stopped { throw KiemctlFailure("not every node stopped; kill what is left by the pid printed above") }
        if noWait { throw KiemctlFailure("interrupted before every node had converged") }
    }

    /// Sets up the folder, starts the nodes, seeds them, shows the adoption
    /// and prints what to try next.
    private static func runFederation(_ topology: DemoTopology, kiemd: (url: URL, command: String)) async throws {
        say("Kiem demo in \(topology.folder)")
        let configurations = try DemoSetup.write(topology, now: Date())
        say("  ✓ federation CA in \(topology.caFolder); a node certificate in each <node>/tls/")
        let processes = try topology.nodes.map { try DemoDaemons.start($0, kiemd: kiemd.url) }
        for (node, process) in zip(topology.nodes, processes) {
            try await DemoDaemons.waitUntilReady(node, process: process, seconds: 30)
        }
        let guide = DemoGuide(topology: topology, configurations: configurations, kiemctl: DemoDaemons.kiemctlCommand, kiemd: kiemd.command)
        say("  ✓ started \(processes.count) kiemd processes, linked \(topology.linkSummary) (uwv and rws have no direct link):")
        for line in guide.nodeLines { say("      " + line) }

        let seeder = DemoSeeder(topology: topology)
        let ids = try await seeder.createInitiatives()
        let seeded = try await DemoConvergence.wait(for: topology.nodes, seconds: 60)
        let perOwner = topology.nodes.compactMap { node in
            let count = DemoSeed.initiatives.count { $0.owner == node.name }
            return count == 0 ? nil : "\(node.name) \(count)"
        }
        say("  ✓ seeded \(ids.count) initiatives, each at its owner (\(perOwner.joined(separator: ", "))); at every node after \(milliseconds(seeded.elapsed))")
        try await seeder.steer(ids)
        let labels = Set(DemoSeed.annotations.map(\.label)).sorted()
        say("  ✓ the regie endorses \(DemoSeed.endorsements.count) of them and files \(DemoSeed.annotations.count) under its labels \(labels.joined(separator: ", "))")

        let (initiative, arrivals) = try await seeder.adopt(ids, seconds: 30)
        let adoption = DemoSeed.adoption
        say("  ✓ \(adoption.adopter) adopts '\(initiative.title.value)' (\(initiative.owner), \(initiative.phase.phase)) as \(adoption.status)"
            + " → arrived at " + arrivals.map { "\($0.0.name) \(milliseconds($0.1))" }.joined(separator: ", "))
        let converged = try await DemoConvergence.wait(for: topology.nodes, seconds: 60)
        say("  ✓ all \(topology.nodes.count) nodes converged: \(converged.initiativeCount) initiatives, \(converged.opCount) ops, state digest \(converged.digest.prefix(16))…")
        say("")
        say(guide.tryNext(ids: ids))
        say("")
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1_000 + attoseconds / 1_000_000_000_000_000) ms"
    }

    /// Prints a line at once, also when standard output is not a terminal.
    private static func say(_ text: String) {
        print(text)
        fflush(nil)
    }
}
