import Hummingbird
import Logging

/// Wraps every dashboard response: an error becomes a page (or, under
/// `/api/`, a JSON `{"error": …}`) with its status, unknown paths included;
/// and every response gets headers that keep browsers strict: no scripts,
/// no framing, no sniffing, no referrer.
struct DashboardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The serving node, for the error page's footer.
    let node: String
    let logger: Logger

    /// Only inline styles, inline SVG and same-origin links and forms.
    static var securityHeaders: HTTPFields {
        [
            .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            .xContentTypeOptions: "nosniff",
            .init("Referrer-Policy")!: "no-referrer",
            .cacheControl: "no-store",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as DashboardError {
            response = try render(error, for: request)
        } catch let error as any HTTPResponseError {
            let message = error.status == .notFound ? "there is no page \(request.uri.path)" : error.status.reasonPhrase
            response = try render(DashboardError(status: error.status, message: message), for: request)
        } catch {
            logger.error("the dashboard could not answer", metadata: ["kiem.path": "\(request.uri.path)", "kiem.error": "\(error)"])
            response = try render(DashboardError(status: .internalServerError, message: "the replica could not be read; see the node's log"),
                                  for: request)
        }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    private func render(_ error: DashboardError, for request: Request) throws -> Response {
        var response: Response
        if request.uri.path.hasPrefix("/api/") {
            response = try .json(["error": error.message], status: error.status)
        } else {
            let title = "\(error.status.code) \(error.status.reasonPhrase)"
            response = .html(PageLayout.page(title: title, node: node, """
                <h1>\(title)</h1>
                <p>\(error.message).</p>
                <p><a href="/">Back to the portfolio overview</a></p>
                """), status: error.status)
        }
        if error.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"kiem dashboard\"" }
        return response
    }
}
