/// Dashboard settings that cannot be served (an unreadable token or TLS
/// file, an address it cannot listen on), saying what to fix. The node
/// reports it as it reports any reason it cannot start.
package struct DashboardStartupError: Error, Sendable, CustomStringConvertible {
    package var description: String

    init(_ description: String) {
        self.description = description
    }
}
