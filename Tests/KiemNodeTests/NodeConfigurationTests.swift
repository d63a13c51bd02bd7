import KiemConfiguration
import KiemCore
import KiemNode
import Logging
import Testing

@Suite("configuration files")
struct NodeConfigurationTests {
    static let valid = """
        organisation = "uwv"
        node = "uwv-1"
        role = "agency"
        data_dir = "data"
        listen = "0.0.0.0:7400"
        log_level = "debug"
        log_format = "json"
        accept = "peers"

        [tls]
        key = "tls/node.key"
        certificate = "/etc/kiem/node.crt"
        ca = "tls/ca.crt"

        [metrics]
        listen = "127.0.0.1:9500"

        [[peers]]
        address = "svb.example:7400"
        organisation = "svb"
        node = "svb-1"

        [[peers]]
        address = "[::1]:7401"
        organisation = "rws"
        node = "rws-1"
        """

    @Test("a complete file parses; relative paths resolve against the file's folder")
    func validFile() throws {
        let configuration = try NodeConfiguration.parse(toml: Self.valid, relativeTo: "/srv/kiem")
        #expect(configuration.organisation == (try OrganisationID("uwv")))
        #expect(configuration.node == (try NodeID("uwv-1")))
        #expect(configuration.role == .agency)
        #expect(configuration.dataDirectory == "/srv/kiem/data")
        #expect(configuration.tls.key == "/srv/kiem/tls/node.key")
        #expect(configuration.tls.certificate == "/etc/kiem/node.crt")
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 7400))
        #expect(configuration.metrics == .init(host: "127.0.0.1", port: 9500))
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
        #expect(configuration.accept == .peers)
        #expect(configuration.peers.map(\.address) == [.init(host: "svb.example", port: 7400), .init(host: "::1", port: 7401)])
        #expect(configuration.peers.map(\.node.rawValue) == ["svb-1", "rws-1"])
    }

    @Test("defaults: agency, listen on 0.0.0.0:7400, metrics on localhost only, info logs, any member may dial in, no peers")
    func defaults() throws {
        let configuration = try NodeConfiguration.parse(toml: """
            organisation = "svb"
            node = "svb-1"
            data_dir = "/var/lib/kiem"
            [tls]
            key = "k"
            certificate = "c"
            ca = "a"
            """, relativeTo: "/")
        #expect(configuration.role == .agency)
        #expect(configuration.listen == NodeConfiguration.defaultListen)
        #expect(configuration.metrics == .init(host: "127.0.0.1", port: 9464))
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.accept == .members)
        #expect(configuration.peers.isEmpty)
        #expect(configuration.limits == NodeConfiguration.Limits())
        #expect(configuration.limits.connectionsPerPeer == 8 && configuration.limits.syncCallsPerPeer == 8)
    }

    @Test("[limits] sets each limit; toml writes them back")
    func limits() throws {
        var configuration = try NodeConfiguration.parse(toml: Self.valid + """

            [limits]
            max_connections = 64
            max_connections_per_peer = 2
            max_sync_calls = 16
            max_sync_calls_per_peer = 3
            max_held_ops_per_origin = 500
            """, relativeTo: "/srv/kiem")
        #expect(configuration.limits.connections == 64 && configuration.limits.connectionsPerPeer == 2)
        #expect(configuration.limits.syncCalls == 16 && configuration.limits.syncCallsPerPeer == 3)
        #expect(configuration.limits.heldOpsPerOrigin == 500)
        #expect(try NodeConfiguration.parse(toml: configuration.toml, relativeTo: "/") == configuration)
        configuration.limits = .init()
        #expect(!configuration.toml.contains("[limits]"))
    }

    @Test("every mistake names the key and what is wrong", arguments: [
        ("organisation = \"UWV\"", "organisation", "is not valid"),
        ("role = \"boss\"", "role", "must be \"agency\" or \"regie\""),
        ("listen = \"7400\"", "listen", "is not host:port"),
        ("log_level = \"loud\"", "log_level", "must be one of"),
        ("log_format = \"xml\"", "log_format", "must be \"text\" or \"json\", not \"xml\""),
        ("accept = \"friends\"", "accept", "must be \"members\" or \"peers\", not \"friends\""),
        ("data_dir = 3", "data_dir", "must be a string"),
        ("colour = \"blue\"", "colour", "is not a known setting"),
        ("[[peers]]\naddress = \"x:1\"\norganisation = \"svb\"", "peers[1].node", "is required"),
        ("[[peers]]\naddress = \"x\"\norganisation = \"svb\"\nnode = \"svb-1\"", "peers[1].address", "is not host:port"),
        ("[[peers]]\naddress = \"x:1\"\norganisation = \"uwv\"\nnode = \"uwv-1\"", "peers[1].node", "is this node itself"),
        ("[metrics]\nenabled = \"yes\"", "metrics.enabled", "must be true or false"),
        ("[limits]\nmax_sync_calls_per_peer = 0", "limits.max_sync_calls_per_peer", "must be a positive integer, not 0"),
        ("[limits]\nmax_held_ops_per_origin = -5", "limits.max_held_ops_per_origin", "must be a positive integer, not -5"),
        ("[limits]\nmax_connections = \"many\"", "limits.max_connections", "must be a positive integer"),
        ("[limits]\nmax_streams = 3", "limits.max_streams", "is not a known setting"),
        // Found by fuzzing (docs/fuzzing.md): a host with a bracket in it did not read back from what toml wrote.
        ("listen = \"[[x]:7400\"", "listen", "is not host:port"),
        ("[[peers]]\naddress = \"x]:1\"\norganisation = \"svb\"\nnode = \"svb-1\"", "peers[1].address", "is not host:port"),
    ])
    func mistakes(line: String, key: String, problem: String) {
        // Later keys override nothing in TOML: a duplicate key is itself an
        // error, so each case replaces its key in a minimal valid file.
        var lines = ["organisation = \"uwv\"", "node = \"uwv-1\"", "data_dir = \"d\""]
        let overridden = String(line.prefix { $0 != " " && $0 != "\n" })
        lines.removeAll { $0.hasPrefix(overridden + " ") }
        let tables = line.hasPrefix("[") ? line : ""
        let text = (lines + (tables.isEmpty ? [line] : [])).joined(separator: "\n")
            + "\n[tls]\nkey = \"k\"\ncertificate = \"c\"\nca = \"a\"\n" + tables
        do {
            _ = try NodeConfiguration.parse(toml: text, relativeTo: "/")
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.key == key, "\(error)")
            #expect(error.problem.contains(problem), "\(error)")
        }
    }

    /// Found by fuzzing (docs/fuzzing.md): toml++ (inside TOMLKit) asserts on
    /// a table header that does not start with a name, so kiemd aborted on a
    /// typo instead of naming it.
    @Test("a table header that does not start with a name is refused, not a crash", arguments: [
        "[=]", "[.tls]", "[\u{E9}]", "[\u{301}]", "[[ #peers]]", "[", "  [\t\n", "\u{FEFF}[=]",
    ])
    func tableHeaderWithoutName(header: String) {
        let text = "organisation = \"uwv\"\nnode = \"uwv-1\"\ndata_dir = \"d\"\n" + header + "\n"
        do {
            _ = try NodeConfiguration.parse(toml: text, relativeTo: "/")
            Issue.record("accepted: \(header)")
        } catch {
            #expect(error.key == nil, "\(error)")
            #expect(error.problem.contains("line 4: a table header must start with a name"), "\(error)")
        }
    }

    @Test("a file that is not TOML, and a missing [tls] table, are refused")
    func notTOML() {
        #expect(throws: ConfigurationError.self) { try NodeConfiguration.parse(toml: "organisation = ", relativeTo: "/") }
        do {
            _ = try NodeConfiguration.parse(toml: "organisation = \"uwv\"\nnode = \"uwv-1\"\ndata_dir = \"d\"", relativeTo: "/")
        } catch {
            #expect(error.key == "tls")
        }
    }
}

@Suite("configuration files, written back")
struct NodeConfigurationRoundTripTests {
    @Test("toml renders a file that parses back to the same configuration")
    func roundTrip() throws {
        var configuration = try NodeConfiguration.parse(toml: NodeConfigurationTests.valid, relativeTo: "/srv/kiem")
        #expect(try NodeConfiguration.parse(toml: configuration.toml, relativeTo: "/elsewhere") == configuration)
        configuration.metrics = nil
        configuration.dataDirectory = "/data/with \"quotes\" and \\ backslash"
        #expect(try NodeConfiguration.parse(toml: configuration.toml, relativeTo: "/") == configuration)
        // Found by fuzzing (docs/fuzzing.md): control characters were written as they are, which TOML refuses.
        configuration.dataDirectory = "/data/\u{01}\n\t\r\u{1F}\u{7F}é"
        #expect(try NodeConfiguration.parse(toml: configuration.toml, relativeTo: "/") == configuration)
    }
}
