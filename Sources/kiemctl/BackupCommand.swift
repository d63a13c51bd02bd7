import ArgumentParser
import Foundation
import KiemClient
import KiemProtocol
import KiemTransport
import SwiftProtobuf

/// `kiemctl backup`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the node's store to a file, while the node runs.",
        discussion: """
            The running kiemd makes the copy with SQLite's online backup, so it is consistent while the \
            node keeps syncing and writing, and writes it as the user kiemd runs as: FILE must be a path \
            that user can write (a relative path is taken from kiemctl's working folder). The copy is \
            written beside FILE, flushed to disk and renamed to FILE; an existing FILE is refused \
            unless --force. The line printed says what the backup holds.

            To restore it: stop kiemd, run kiemd --restore FILE --config kiemd.toml (--force to replace \
            the store), start kiemd. The restored node signs no new op until a peer has said how far its \
            own log goes and it pulled its newer ops back (docs/node.md, "Backup and restore").

            Examples:
              kiemctl backup --out /var/backups/kiem/uwv-1-$(date +%F).kiem
              kiemctl backup --out /var/backups/kiem/latest.kiem --force
            """
    )

    @Option(name: .long, help: ArgumentHelp("The backup file to write.", valueName: "file"))
    var out: String

    @Flag(name: .long, help: "Replace the file if it exists.")
    var force = false

    @OptionGroup var control: ControlOptions

    func run() async throws {
        let path = URL(fileURLWithPath: out).standardizedFileURL.path
        let request = Kiem_V1_BackupRequest.with {
            $0.path = path
            $0.force = force
        }
        let response = try await control.withControl { control in try await control.call(ControlAPI.backup, request) }
        try control.print(BackupReport(response))
    }
}

/// What `kiemctl backup` prints: where the backup went and what it holds.
struct BackupReport: CommandOutput, Equatable {
    var path: String
    var sizeBytes: UInt64
    var ops: UInt64
    var initiatives: UInt64
    /// Origin node → the highest sequence number the backup holds from it.
    var versionVector: [String: UInt64]

    init(_ response: Kiem_V1_BackupResponse) {
        path = response.path
        sizeBytes = response.sizeBytes
        ops = response.opCount
        initiatives = response.initiativeCount
        versionVector = Dictionary(response.versionVector.entries.map { ($0.origin, $0.seq) }, uniquingKeysWith: max)
    }

    var text: String {
        let vector = versionVector.keys.sorted().map { "\($0):\(versionVector[$0] ?? 0)" }
        let size = ByteCountFormatter.string(fromByteCount: Int64(clamping: sizeBytes), countStyle: .file)
        return "backup written to \(path): \(size), \(ops) ops, \(initiatives) initiatives, version vector "
            + (vector.isEmpty ? "empty" : vector.joined(separator: " "))
    }
}
