import Foundation
import Hummingbird
import Logging

/// The secret a dashboard served beyond localhost can require
/// (`[dashboard] token_file`): every request must carry
/// `Authorization: Bearer <token>`. It is compared in constant time, so how
/// long a refusal takes says nothing about how much of a guess was right.
struct BearerToken: Sendable {
    /// Shorter tokens are refused: they could be guessed.
    static let minimumLength = 16

    private let bytes: [UInt8]

    init(_ token: String) {
        bytes = Array(token.utf8)
    }

    /// Reads the token from `path`: the file's text without surrounding
    /// white space. Warns when other users can read the file.
    /// - Throws: ``DashboardStartupError`` when it cannot be read or is too short.
    init(file path: String, logger: Logger) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DashboardStartupError("dashboard.token_file \(path) cannot be read: \((error as NSError).localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= Self.minimumLength, !token.contains(where: \.isWhitespace) else {
            throw DashboardStartupError(
                "dashboard.token_file \(path) must hold one token of at least \(Self.minimumLength) characters without spaces "
                    + "(e.g. `openssl rand -hex 32 > \(path)`)")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.uint16Value,
           mode & 0o077 != 0 {
            logger.warning("the dashboard token file is readable by other users; it should be mode 0600", metadata: [
                "kiem.dashboard.token_file": "\(path)", "kiem.dashboard.token_mode": "\(String(mode, radix: 8))",
            ])
        }
        self.init(token)
    }

    /// Whether an `Authorization` header value presents this token.
    func isPresented(in authorization: String) -> Bool {
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else { return false }
        return Self.constantTimeEqual(Array(authorization.utf8.dropFirst(scheme.count)), bytes)
    }

    /// Whether `presented` equals `expected`, taking the same time whatever
    /// the bytes: every byte of `expected` is compared, and a length
    /// mismatch is folded into the result rather than returned early.
    static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: presented.count ^ expected.count)
        difference |= presented.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < presented.count ? presented[index] : ~expected[index])
        }
        return difference == 0
    }
}

/// Refuses every request that does not present the ``BearerToken``, with a
/// 401 that ``DashboardMiddleware`` renders.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: BearerToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization], token.isPresented(in: authorization) else {
            throw DashboardError.unauthorized
        }
        return try await next(request, context)
    }
}
