import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Free TCP ports on 127.0.0.1 for the demo's nodes: the first ones from a
/// base port upward that can be bound now. Bases below the kernel's
/// ephemeral range keep them clear of the nodes' own outgoing connections,
/// and give the same, memorable ports (7401, 7402, …) on a quiet machine.
/// A port taken between this check and kiemd's bind makes that node fail to
/// start, and the demo says so, naming its log.
enum DemoPorts {
    /// Peer (TLS) ports start here.
    static let listenBase = 7401
    /// Metrics ports start here.
    static let metricsBase = 9401
    /// The regie's dashboard port is the first free one from here.
    static let dashboardBase = 9480

    /// `count` distinct ports from `base` upward that are free now.
    static func free(_ count: Int, from base: Int) throws -> [Int] {
        let found = (base..<(base + 500)).lazy.filter(isFree).prefix(count)
        guard found.count == count else {
            throw KiemctlFailure("no \(count) free loopback ports between \(base) and \(base + 499)")
        }
        return Array(found)
    }

    private static func isFree(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        // As kiemd binds: a port whose old connections linger in TIME_WAIT is free.
        var reuse: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }
}
