import ArgumentParser
@testable import kiemctl
import Testing

@Suite("Control options before the subcommand (kiemctl --socket S status)")
struct LeadingOptionsTests {
    func control(_ arguments: [String]) throws -> ControlOptions {
        let command = try Kiemctl.parseCommand(arguments)
        return try #require(command as? any NodeCommand, "\(type(of: command))").control
    }

    @Test("before the subcommand, after it, or as --name=value: the same options", arguments: [
        ["--socket", "/run/a.sock", "status"],
        ["--socket=/run/a.sock", "status"],
        ["status", "--socket", "/run/a.sock"],
    ])
    func socket(arguments: [String]) throws {
        let command = try Kiemctl.parseCommand(arguments)
        #expect(command is StatusCommand)
        #expect((command as? StatusCommand)?.control.socket == "/run/a.sock")
    }

    @Test("every node command takes them, nested ones too, with their own arguments after")
    func nested() throws {
        let peers = try control(["--json", "--config", "/etc/kiem/kiemd.toml", "peers", "list"])
        #expect(peers.json)
        #expect(peers.config == "/etc/kiem/kiemd.toml")
        let list = try Kiemctl.parseCommand(["--socket", "/run/a.sock", "initiative", "list", "--theme", "ai"])
        #expect((list as? InitiativeListCommand)?.control.socket == "/run/a.sock")
        #expect((list as? InitiativeListCommand)?.filters.theme == "ai")
        #expect(try control(["--socket", "/run/a.sock", "sync"]).socket == "/run/a.sock")
        #expect(try control(["--socket", "/run/a.sock", "watch"]).socket == "/run/a.sock")
        #expect(try control(["--json", "overview"]).json)
    }

    @Test("the subcommand's own option wins over the one before it; unset ones are filled in")
    func precedence() throws {
        let options = try control(["--socket", "/run/before.sock", "--json", "status", "--socket", "/run/after.sock"])
        #expect(options.socket == "/run/after.sock")
        #expect(options.json)
        #expect(try options.socketPath(environment: ["KIEM_SOCKET": "/run/env.sock"]) == "/run/after.sock")
        #expect(try control(["--socket", "/run/before.sock", "status"]).socketPath(environment: ["KIEM_SOCKET": "/run/env.sock"])
            == "/run/before.sock")
    }

    @Test("the subcommand's checks see the options before it")
    func validation() {
        #expect(throws: (any Error).self) { try Kiemctl.parseCommand(["--json", "overview", "--csv"]) }
    }

    @Test("options before a command that does not talk to a node, or without a value, are usage errors (status 2)", arguments: [
        ["--socket", "/run/a.sock", "pki", "init-ca", "--out", "/tmp/ca"],
        ["--json", "demo", "stop"],
        ["--socket"],
    ])
    func refused(arguments: [String]) {
        let error = #expect(throws: (any Error).self) { try Kiemctl.parseCommand(arguments) }
        #expect(Kiemctl.exitCode(for: error!) == .validationFailure)
        if arguments.contains("pki") {
            #expect(Kiemctl.fullMessage(for: error!).contains("applies only to commands that talk to a node"))
        }
    }

    @Test("splitting stops at the first argument that is not a control option")
    func split() {
        #expect(Kiemctl.splitLeadingOptions(["--socket", "s", "--json", "status", "--json"]).leading == ["--socket", "s", "--json"])
        #expect(Kiemctl.splitLeadingOptions(["status", "--socket", "s"]).leading == [])
        #expect(Kiemctl.splitLeadingOptions(["--config=/f", "peers", "list"]).rest == ["peers", "list"])
        #expect(Kiemctl.splitLeadingOptions(["--verbose", "status"]).leading == [])
    }
}
