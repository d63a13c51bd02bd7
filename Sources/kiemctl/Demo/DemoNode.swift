import KiemConfiguration
import KiemCore

/// One node of the demo federation: its short name (also its organisation
/// and its folder in the demo folder), its identity and the files kiemd and
/// kiemctl use there.
struct DemoNode: Sendable {
    /// The organisation, whose id is the name the user sees: `uwv`, `svb`,
    /// `rws` or `regie`.
    let organisation: OrganisationID
    /// The node id: `<name>-1`.
    let node: NodeID
    /// Agency or regie.
    let role: NodeConfiguration.Role
    /// `DIR/<name>`, absolute: the node's data folder.
    let folder: String

    /// Names the node `name` in the demo folder `demoFolder`.
    init(name: String, role: NodeConfiguration.Role, demoFolder: String) throws {
        organisation = try OrganisationID(name)
        node = try NodeID(name + "-1")
        self.role = role
        folder = demoFolder + "/" + name
    }

    /// The short name: the organisation id.
    var name: String { organisation.rawValue }
    /// The node's kiemd configuration.
    var configurationPath: String { folder + "/kiemd.toml" }
    /// Written by kiemd on start, removed on a clean stop.
    var pidPath: String { folder + "/kiemd.pid" }
    /// Held (`flock`) by the kiemd that runs on this folder.
    var lockPath: String { folder + "/kiemd.lock" }
    /// kiemd's control socket.
    var socketPath: String { folder + "/kiemd.sock" }
    /// kiemd's standard output and error.
    var logPath: String { folder + "/kiemd.log" }
    /// The node's key, its certificate and the CA certificate.
    var tlsFolder: String { folder + "/tls" }
}
