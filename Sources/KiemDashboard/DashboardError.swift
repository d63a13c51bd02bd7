import Hummingbird

/// A request the dashboard cannot answer as asked: the status to send and a
/// sentence for the person or program that asked. ``DashboardMiddleware``
/// renders it as an HTML page or, under `/api/`, as JSON.
struct DashboardError: Error, Equatable, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String

    /// A malformed filter or parameter (400).
    static func badRequest(_ message: String) -> DashboardError {
        DashboardError(status: .badRequest, message: message)
    }

    /// No such page or initiative (404).
    static func notFound(_ message: String) -> DashboardError {
        DashboardError(status: .notFound, message: message)
    }

    /// A missing or wrong bearer token (401).
    static let unauthorized = DashboardError(
        status: .unauthorized, message: "this dashboard needs a bearer token: send Authorization: Bearer <token>")

    var description: String { "\(status.code) \(message)" }
}
