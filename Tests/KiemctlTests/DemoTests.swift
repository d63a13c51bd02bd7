import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KiemClient
import KiemProtocol
import KiemTestSupport
import KiemTransport
import SwiftProtobuf
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `kiemctl demo`, run as the real built executable with real kiemd
/// processes.
@Suite("kiemctl demo")
struct DemoTests {
    /// The demo's nodes, as their folders are named.
    static let nodes = ["uwv", "svb", "rws", "regie"]
    /// `DemoSeed.initiatives.count` in kiemctl.
    static let seededInitiatives: UInt64 = 15

    @Test("demo --no-wait leaves four converged nodes running; demo stop stops them", .timeLimit(.minutes(3)))
    func startConvergeStop() async throws {
        let kiemctl = try #require(BuiltExecutable("kiemctl"), "kiemctl is not built; run `swift build --build-tests`")
        let folder = try Self.makeTemporaryFolder()
        // Also after a failed expectation or a thrown error, no kiemd may outlive the test.
        func cleanUp() async {
            _ = try? await kiemctl.run(["demo", "stop", "--dir", folder])
            try? FileManager.default.removeItem(atPath: folder)
        }
        do {
            try await checkStartConvergeStop(kiemctl, folder: folder)
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    /// The body of ``startConvergeStop()``, which stops the nodes afterwards.
    private func checkStartConvergeStop(_ kiemctl: BuiltExecutable, folder: String) async throws {
        let start = try await kiemctl.run(["demo", "--no-wait", "--dir", folder])
        try #require(start.status == 0, "kiemctl demo failed:\n\(start.output)")
        #expect(start.output.contains("seeded \(Self.seededInitiatives) initiatives"), "\(start.output)")
        #expect(start.output.contains("kiemctl initiative list --socket \(folder)/svb/kiemd.sock"), "\(start.output)")

        var pids: [pid_t] = []
        var statuses: [Kiem_V1_StatusResponse] = []
        for node in Self.nodes {
            for file in ["kiemd.toml", "kiemd.pid", "kiemd.sock"] {
                #expect(FileManager.default.fileExists(atPath: "\(folder)/\(node)/\(file)"), "\(node)/\(file) is missing")
            }
            let pid = try String(contentsOfFile: "\(folder)/\(node)/kiemd.pid", encoding: .utf8)
            pids.append(try #require(pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines))))
            statuses.append(try await ControlClient.withConnection(socket: "\(folder)/\(node)/kiemd.sock") { control in
                try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
            })
        }
        #expect(Set(statuses.map(\.stateDigest)).count == 1, "digests differ: \(statuses.map(\.stateDigest))")
        #expect(Set(statuses.map(\.versionVector)).count == 1)
        #expect(statuses.map(\.initiativeCount) == Array(repeating: Self.seededInitiatives, count: Self.nodes.count))

        let adopted = try await ControlClient.withConnection(socket: "\(folder)/regie/kiemd.sock") { control in
            try await control.call(ControlAPI.queryInitiatives, Kiem_V1_QueryInitiativesRequest.with { $0.adoptedBy = ["svb"] })
        }
        #expect(adopted.initiatives.map(\.owner) == ["uwv"], "the regie does not see svb's adoption of uwv's initiative")

        // The dashboard the demo names shows the numbers `kiemctl overview`
        // prints on the regie, the regie's labels among them.
        let line = try #require(start.output.split(separator: "\n").first { $0.contains("Open the regie dashboard: ") }, "\(start.output)")
        let dashboard = try #require(URL(string: String(line.split(separator: " ").last ?? "")), "\(line)")
        let (body, _) = try await URLSession.shared.data(from: dashboard.appendingPathComponent("api/overview"))
        let api = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let overview = try await kiemctl.run(["overview", "--json", "--socket", "\(folder)/regie/kiemd.sock"])
        try #require(overview.status == 0, "\(overview.output)")
        let printed = try #require(try JSONSerialization.jsonObject(with: Data(overview.output.utf8)) as? [String: Any])
        #expect(api["total"] as? Int == Int(Self.seededInitiatives) && printed["total"] as? Int == api["total"] as? Int)
        #expect(printed["byPhase"] as? [String: Int] == api["byPhase"] as? [String: Int])
        let labels = (api["labels"] as? [[String: Any]])?.map { "\($0["organisation"] ?? "")/\($0["label"] ?? "")" }
        #expect(labels == ["regie/data-infrastructuur", "regie/verantwoorde-ai", "regie/werkagenda-2027"], "\(api)")
        #expect((printed["labels"] as? [[String: Any]])?.count == 3 && (printed["prioritised"] as? [Any])?.count == 3)
        let html = String(decoding: try await URLSession.shared.data(from: dashboard).0, as: UTF8.self)
        #expect(html.components(separatedBy: "<svg ").count - 1 == 4, "the four charts")

        let stop = try await kiemctl.run(["demo", "stop", "--dir", folder])
        #expect(stop.status == 0, "kiemctl demo stop failed:\n\(stop.output)")
        for (node, pid) in zip(Self.nodes, pids) {
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "\(node)'s kiemd (pid \(pid)) still runs")
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/\(node)/kiemd.sock"), "\(node)'s socket is left")
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/\(node)/kiemd.pid"), "\(node)'s pid file is left")
        }
    }

    @Test("demo refuses a folder that is not empty; demo stop one without nodes")
    func refusals() async throws {
        let kiemctl = try #require(BuiltExecutable("kiemctl"), "kiemctl is not built; run `swift build --build-tests`")
        let folder = try Self.makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let stop = try await kiemctl.run(["demo", "stop", "--dir", folder])
        #expect(stop.status == 1)
        #expect(stop.output.contains("holds no demo nodes"), "\(stop.output)")

        try "notes".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        let start = try await kiemctl.run(["demo", "--no-wait", "--dir", folder])
        #expect(start.status == 1)
        #expect(start.output.contains("is not empty"), "\(start.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.txt"])
    }

    /// A new folder under /tmp: short, so that the sockets in it fit a Unix
    /// socket path.
    static func makeTemporaryFolder() throws -> String {
        let folder = "/tmp/kiem-demo-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
