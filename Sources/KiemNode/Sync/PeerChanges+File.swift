import Foundation
import KiemConfiguration
import KiemCore

extension PeerChanges {
    /// The file name in the data folder.
    static let fileName = "peers.json"

    private struct File: Codable {
        struct Peer: Codable {
            var address: String
            var organisation: String
            var node: String
        }

        var added: [Peer]
        var removed: [String]
    }

    /// Reads the changes kept in `path`; none if the file does not exist.
    /// - Throws: ``NodeStartupError`` naming the file for unreadable content.
    static func load(path: String) throws -> PeerChanges {
        guard let data = FileManager.default.contents(atPath: path) else { return PeerChanges() }
        do {
            let file = try JSONDecoder().decode(File.self, from: data)
            return PeerChanges(
                added: try file.added.map { entry in
                    guard let address = NodeConfiguration.Address(parsing: entry.address) else {
                        throw NodeStartupError("'\(entry.address)' is not host:port")
                    }
                    return NodeConfiguration.Peer(
                        address: address, organisation: try OrganisationID(entry.organisation), node: try NodeID(entry.node))
                },
                removed: file.removed)
        } catch {
            throw NodeStartupError("\(path) (peers added or removed with kiemctl) cannot be read: \(error)")
        }
    }

    /// Writes the changes to `path` durably: a temporary file, flushed to
    /// disk, then renamed over the old one, so a crash leaves either.
    func save(path: String) throws {
        let file = File(
            added: added.map { File.Peer(address: "\($0.address)", organisation: $0.organisation.rawValue, node: $0.node.rawValue) },
            removed: removed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(file)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw NodeStartupError("cannot create \(temporary)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else {
            throw NodeStartupError("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
    }
}
