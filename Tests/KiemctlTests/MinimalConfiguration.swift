import Foundation

/// Writes `folder/kiemd.toml` for node uwv-1 of uwv, with `data_dir = "data"`
/// and the TLS files in `tls/` (as `TestNodeIdentity.write(to:)` lays them
/// out), and returns its path.
func writeMinimalConfiguration(in folder: URL) throws -> String {
    let path = folder.appendingPathComponent("kiemd.toml").path
    try """
        organisation = "uwv"
        node = "uwv-1"
        data_dir = "data"
        [tls]
        key = "tls/node.key"
        certificate = "tls/node.crt"
        ca = "tls/ca.crt"
        """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
