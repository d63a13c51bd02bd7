import KiemConfiguration
import KiemCore

/// Seeds: configurations written by `NodeConfiguration.toml` (the writer
/// `kiemctl demo` uses), the minimal file the docs show, and a few that
/// each check refuses. `run.sh seeds` also copies deploy/kiemd.example.toml.
enum ConfigurationSeeds {
    static func all() throws -> [(name: String, bytes: [UInt8])] {
        let tls = NodeConfiguration.TLSFiles(key: "/etc/kiem/node.key", certificate: "/etc/kiem/node.crt", ca: "/etc/kiem/ca.crt")
        let peer = NodeConfiguration.Peer(
            address: NodeConfiguration.Address(host: "svb.example.nl", port: 7400), organisation: try OrganisationID("svb"), node: try NodeID("svb-1"))
        let ipv6Peer = NodeConfiguration.Peer(
            address: NodeConfiguration.Address(host: "::1", port: 7401), organisation: try OrganisationID("rws"), node: try NodeID("rws-1"))
        var agency = NodeConfiguration(
            organisation: try OrganisationID("uwv"), node: try NodeID("uwv-1"), dataDirectory: "/var/lib/kiem", tls: tls, peers: [peer, ipv6Peer])
        agency.limits.connections = 64
        agency.limits.syncCallsPerPeer = 2
        agency.accept = .peers
        var regie = NodeConfiguration(
            organisation: try OrganisationID("regie"), node: try NodeID("regie-1"), role: .regie, dataDirectory: "/srv/kiem data",
            listen: NodeConfiguration.Address(host: "0.0.0.0", port: 7400), tls: tls, metrics: nil)
        regie.dashboard = NodeConfiguration.Dashboard(
            listen: NodeConfiguration.Address(host: "0.0.0.0", port: 9480),
            tls: NodeConfiguration.Dashboard.TLS(key: "/etc/kiem/web.key", certificate: "/etc/kiem/web.crt"),
            clientCertificates: true, tokenFile: "/etc/kiem/token")
        let minimal = """
            organisation = "uwv"
            node = "uwv-1"
            data_dir = "data"
            [tls]
            key = "tls/node.key"
            certificate = "tls/node.crt"
            ca = "tls/ca.crt"

            """
        let texts: [(String, String)] = [
            ("agency", agency.toml),
            ("regie", regie.toml),
            ("minimal", minimal),
            ("json-logs", "log_level = \"debug\"\nlog_format = \"json\"\n" + minimal + "[metrics]\nenabled = false\n"),
            ("unknown-key", minimal + "colour = \"blue\"\n"),
            ("bad-limit", minimal + "[limits]\nmax_connections = 0\n"),
            ("dashboard-beyond-localhost", minimal + "[dashboard]\nlisten = \"0.0.0.0:9480\"\n"),
            ("peer-is-self", minimal + "[[peers]]\naddress = \"[::1]:7400\"\norganisation = \"uwv\"\nnode = \"uwv-1\"\n"),
            ("not-toml", "organisation = \n[tls\n"),
        ]
        return texts.map { (name: $0.0, bytes: Array($0.1.utf8)) }
    }
}
