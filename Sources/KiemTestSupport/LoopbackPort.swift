import Foundation

/// A TCP port on 127.0.0.1 that is free now, for a daemon whose
/// configuration needs a port before it starts.
///
/// Chosen at random outside the kernel's ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`), so that no outgoing
/// connection of a test running in parallel can take it before the daemon
/// binds it, and checked by binding it once.
package func freeLoopbackPort() throws -> Int {
    var generator = SystemRandomNumberGenerator()
    let candidates = portsOutsideEphemeralRange()
    for _ in 0..<200 {
        let port = Int.random(in: candidates, using: &generator)
        if canBind(port) { return port }
    }
    throw POSIXError(.EADDRINUSE)
}

private func portsOutsideEphemeralRange() -> ClosedRange<Int> {
    let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
    let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
    let (low, high) = bounds.count == 2 ? (bounds[0], bounds[1]) : (32_768, 60_999)
    if low > 12_000 { return 10_000...(low - 1) }
    return (high + 1)...65_535
}

private func canBind(_ port: Int) -> Bool {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
