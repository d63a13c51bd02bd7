import ArgumentParser
import Foundation

/// `kiemctl demo stop`: stops the nodes of a demo left running with
/// `--no-wait`.
struct DemoStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop every node of a demo folder.",
        discussion: """
            Sends SIGTERM to the kiemd of each node folder in DIR (the pid in DIR/<node>/kiemd.pid) and \
            waits until each has exited. The data stays. Exit status 1 if a node did not stop in time.
            """
    )

    /// How long the nodes get to shut down.
    static let stopSeconds = 30.0

    @Option(name: .long, help: ArgumentHelp("The demo folder (as given to kiemctl demo --dir).", valueName: "dir"))
    var dir: String

    func run() async throws {
        let topology = try DemoTopology(folder: URL(fileURLWithPath: dir).standardizedFileURL.path)
        let nodes = topology.nodes.filter { FileManager.default.fileExists(atPath: $0.configurationPath) }
        guard !nodes.isEmpty else {
            throw KiemctlFailure("\(topology.folder) holds no demo nodes (no <node>/kiemd.toml for uwv, svb, rws or regie)")
        }
        guard await Self.stopAll(nodes) else {
            throw KiemctlFailure("not every node stopped; kill what is left by the pid printed above")
        }
    }

    /// Stops `nodes` and prints a line per node.
    /// - Returns: false if one of them still runs.
    static func stopAll(_ nodes: [DemoNode]) async -> Bool {
        let outcomes = await DemoDaemons.stop(nodes, seconds: stopSeconds)
        for (node, outcome) in zip(nodes, outcomes) {
            switch outcome {
            case let .stopped(pid): print("  stopped \(node.name) (pid \(pid))")
            case .notRunning: print("  \(node.name) was not running")
            case let .didNotStop(pid): print("  \(node.name) (pid \(pid)) did not stop within \(Int(stopSeconds)) s; see \(node.logPath)")
            }
        }
        fflush(nil)
        return !outcomes.contains { if case .didNotStop = $0 { true } else { false } }
    }
}
