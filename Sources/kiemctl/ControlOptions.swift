import ArgumentParser
import Foundation
import KiemClient
import KiemConfiguration

/// The options of every command that talks to a node: where its control
/// socket is, and `--json`.
///
/// The socket is `--socket`, else `$KIEM_SOCKET`, else `kiemd.sock` in the
/// data folder of the configuration `--config` names, else
/// ``defaultSocket``.
struct ControlOptions: ParsableArguments {
    /// The socket of a node whose data folder is the packaged default.
    static let defaultSocket = "/var/lib/kiem/kiemd.sock"
    /// The environment variable that names the socket.
    static let socketVariable = "KIEM_SOCKET"

    @Option(
        name: .long,
        help: ArgumentHelp("The node's control socket (else $KIEM_SOCKET, else --config's, else \(Self.defaultSocket)).", valueName: "path"),
        completion: .file())
    var socket: String?

    @Option(
        name: .long,
        help: ArgumentHelp("The node's kiemd.toml; the socket is kiemd.sock in its data_dir.", valueName: "file"),
        completion: .file(extensions: ["toml"]))
    var config: String?

    @Flag(name: .long, help: "Print JSON (camelCase keys, stable across versions) instead of text.")
    var json = false

    /// The socket to connect to.
    /// - Throws: `ValidationError` (exit status 2) when `--config` cannot be read.
    func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let socket { return socket }
        if let named = environment[Self.socketVariable], !named.isEmpty { return named }
        if let config {
            do {
                return try NodeConfiguration.load(file: config).controlSocketPath
            } catch {
                throw ValidationError("--config: \(error)")
            }
        }
        return Self.defaultSocket
    }

    /// Connects to the node, runs `body` and disconnects.
    func withControl<Result: Sendable>(_ body: (ControlClient) async throws -> Result) async throws -> Result {
        try await ControlClient.withConnection(socket: try socketPath(), body)
    }

    /// Prints `output` as text, or as pretty JSON with `--json`.
    func print(_ output: some CommandOutput) throws {
        Swift.print(json ? try JSONOutput.pretty(output) : output.text)
    }
}

/// What a command prints: one value, as text for people or as JSON for
/// scripts (its `Encodable` form, camelCase keys).
protocol CommandOutput: Encodable {
    /// The text form, without a trailing newline.
    var text: String { get }
}

/// kiemctl's JSON encoding: sorted keys, so that output is stable; times as
/// ISO 8601 in UTC ("2026-12-01T13:03:00Z"); absent optionals left out.
enum JSONOutput {
    /// Indented, for one document.
    static func pretty(_ value: some Encodable) throws -> String {
        try encode(value, [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// On one line, for a stream of objects (`watch --json`).
    static func line(_ value: some Encodable) throws -> String {
        try encode(value, [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func encode(_ value: some Encodable, _ formatting: JSONEncoder.OutputFormatting) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
