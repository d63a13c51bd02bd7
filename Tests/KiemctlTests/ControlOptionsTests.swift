import ArgumentParser
import Foundation
import KiemClient
@testable import kiemctl
import KiemTestSupport
import KiemWire
import Testing

@Suite("Socket discovery and exit statuses")
struct ControlOptionsTests {
    @Test("--socket, else $KIEM_SOCKET, else --config's data_dir, else /var/lib/kiem/kiemd.sock")
    func socketOrder() throws {
        let folder = try TestPKI.temporaryDirectory("kiemctl-config")
        let config = try writeMinimalConfiguration(in: folder)
        let environment = ["KIEM_SOCKET": "/run/env.sock"]

        let all = try ControlOptions.parse(["--socket", "/run/flag.sock", "--config", config])
        #expect(try all.socketPath(environment: environment) == "/run/flag.sock")
        let configured = try ControlOptions.parse(["--config", config])
        #expect(try configured.socketPath(environment: environment) == "/run/env.sock")
        #expect(try configured.socketPath(environment: [:]) == folder.appendingPathComponent("data/kiemd.sock").path)
        #expect(try ControlOptions.parse([]).socketPath(environment: ["KIEM_SOCKET": ""]) == "/var/lib/kiem/kiemd.sock")

        let missing = try ControlOptions.parse(["--config", folder.appendingPathComponent("missing.toml").path])
        let error = #expect(throws: (any Error).self) { try missing.socketPath(environment: [:]) }
        #expect(Kiemctl.exitCode(for: error!) == .validationFailure)
    }

    @Test("exit statuses: refused 1 with the server's words, invalid input 2, no daemon 3, not found 1")
    func exitStatuses() throws {
        let refused = try #require(Kiemctl.failure(for: RPCError(code: .permissionDenied, message: "only uwv may edit this initiative")))
        #expect(refused.message == "kiemctl: only uwv may edit this initiative")
        #expect(refused.status == 1)
        #expect(Kiemctl.failure(for: RPCError(code: .notFound, message: "no initiative X"))?.status == 1)
        #expect(Kiemctl.failure(for: RPCError(code: .invalidArgument, message: "title is empty"))?.status == 2)
        let unreachable = try #require(Kiemctl.failure(for: ControlClientError.unreachable(socket: "/x.sock", reason: "no socket at /x.sock")))
        #expect(unreachable.message == "kiemctl: is kiemd running? no socket at /x.sock")
        #expect(unreachable.status == 3)
        #expect(Kiemctl.failure(for: KiemctlFailure("no peer rws-1"))?.message == "kiemctl: no peer rws-1")
        #expect(Kiemctl.failure(for: CancellationError()) == nil)
    }
}
