import Foundation
import FuzzSupport
import KiemConfiguration

// Fuzzes `NodeConfiguration.parse(toml:relativeTo:)`, the reading of
// kiemd.toml (TOMLKit, then Kiem's checks of every key).
//
// Properties: the input (as UTF-8 text) gives either
// 1. a `ConfigurationError` with a problem to print, naming no file; or
// 2. a configuration that validates (its dashboard passes
//    `Dashboard.validate()`, every path is absolute, every limit positive,
//    no peer is the node itself or listed twice) and that its `toml`
//    writes back as a file that parses to the same configuration, read
//    from another folder.

let folder = "/fuzz/config"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { UnsafeBufferPointer(start: $0, count: count) } ?? UnsafeBufferPointer(start: nil, count: 0)
    let text = String(decoding: bytes, as: UTF8.self)
    let configuration: NodeConfiguration
    do {
        configuration = try NodeConfiguration.parse(toml: text, relativeTo: folder)
    } catch {
        fuzzCheck(!error.problem.isEmpty && error.file == nil && !error.description.isEmpty, "an unclear error: \(error)")
        return 0
    }
    checkValid(configuration)
    let written = configuration.toml
    do {
        let again = try NodeConfiguration.parse(toml: written, relativeTo: "/elsewhere")
        fuzzCheck(again == configuration, "\(configuration) writes back as \(written), which reads as \(again)")
    } catch {
        fuzzCheck(false, "\(configuration) writes back as\n\(written)\nwhich does not parse: \(error)")
    }
    return 0
}

/// Property 2 without the round trip.
func checkValid(_ configuration: NodeConfiguration) {
    do {
        try configuration.dashboard.validate()
    } catch {
        fuzzCheck(false, "an accepted configuration's dashboard does not validate: \(error)")
    }
    let paths = [configuration.dataDirectory, configuration.tls.key, configuration.tls.certificate, configuration.tls.ca]
        + [configuration.dashboard.tls?.key, configuration.dashboard.tls?.certificate, configuration.dashboard.tokenFile].compactMap { $0 }
    fuzzCheck(paths.allSatisfy { $0.hasPrefix("/") }, "a relative path in \(paths)")
    let limits = configuration.limits
    fuzzCheck(limits.connections > 0 && limits.connectionsPerPeer > 0 && limits.syncCalls > 0 && limits.syncCallsPerPeer > 0,
              "a limit is not positive: \(limits)")
    let peers = configuration.peers.map(\.node)
    fuzzCheck(!peers.contains(configuration.node) && Set(peers).count == peers.count, "peers \(peers) of \(configuration.node)")
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    SeedCorpus.writeIfAsked(ConfigurationSeeds.all)
    return 0
}

/// The entry point (see `FuzzDriver`).
@_cdecl("FuzzConfiguration_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzz)
}
