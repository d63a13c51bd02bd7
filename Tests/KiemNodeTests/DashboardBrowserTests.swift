import Foundation
import KiemCore
@testable import KiemDashboard
@testable import KiemNode
import KiemTestSupport
import Testing

/// The dashboard as a person sees it: a running regie serves it, headless
/// Chromium loads it, the rendered DOM holds the charts and the numbers, and
/// a screenshot is kept in `.build/test-artifacts/dashboard.png`.
@Suite("dashboard in a browser")
struct DashboardBrowserTests {
    /// Chromium on the PATH (Debian's package, installed by
    /// deploy/setup-dev.sh), or nil.
    static let chromium: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser"] {
            for folder in path.split(separator: ":") {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    @Test("a running regie's dashboard renders in headless Chromium with its charts and totals",
          .enabled(if: chromium != nil, "no chromium or chromium-browser on the PATH: apt-get install chromium"),
          .timeLimit(.minutes(3)))
    func rendersInChromium() async throws {
        let chromium = try #require(Self.chromium)
        let fixture = try await DashboardFixture.open()
        let server = try #require(fixture.node.dashboard)
        let artifacts = DashboardFixture.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: screenshot)
        let profile = fixture.federation.root.appendingPathComponent("chromium-profile").path

        try await running([fixture.node]) {
            let url = try #require(try await withDeadline(seconds: 30, "the dashboard to serve") { await server.waitUntilServing() })
            #expect(fixture.node.dashboardURL == url)
            let flags = ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)", "--no-first-run"]

            let dom = try await Self.run(chromium, flags + ["--dump-dom", url.absoluteString])
            #expect(dom.status == 0, "\(dom.output)")
            #expect(dom.output.components(separatedBy: "<svg ").count - 1 == 4, "the four charts")
            #expect(dom.output.contains("<li><strong>5</strong>initiatives</li>"))
            #expect(dom.output.contains("<li><strong>1</strong>taken up by 2+ others</li>"))
            #expect(dom.output.contains("Robotisering bezwaar"))
            #expect(dom.output.contains(DashboardFixture.lessons))
            #expect(!dom.output.contains("<script"), "an escaped title became an element")

            let shot = try await Self.run(chromium, flags + [
                "--screenshot=\(screenshot.path)", "--window-size=1280,2000", "--hide-scrollbars", url.absoluteString,
            ])
            #expect(shot.status == 0, "\(shot.output)")
        }
        let size = (try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size > 10_000, "the screenshot is missing or blank (\(size) bytes)")
        print("dashboard screenshot: \(screenshot.path)")
    }

    /// Runs `executable` to its end without blocking a thread of the
    /// cooperative pool (the node under test answers on it); gives up after
    /// 60 seconds. Standard error is left out (Chromium is chatty there).
    static func run(_ executable: URL, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let outcome = try await ChildProcess(executable, arguments, mergingStandardError: false).finished(seconds: 60)
        return (outcome.status, outcome.stdout)
    }
}
