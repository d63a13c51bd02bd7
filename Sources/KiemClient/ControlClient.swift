import Foundation
public import KiemProtocol
public import KiemTransport
import KiemWire
public import Logging
import NIOCore

/// A connection to one node's control socket (`kiem.v1.Control`), as
/// `kiemctl` and tests use it.
///
/// ```swift
/// let status = try await ControlClient.withConnection(socket: "/var/lib/kiem/kiemd.sock") { control in
///     try await control.call(ControlAPI.status, Kiem_V1_StatusRequest())
/// }
/// ```
public struct ControlClient: Sendable {
    /// How long a unary call may take unless the caller says otherwise.
    public static let defaultTimeout: Duration = .seconds(30)

    /// The socket this client is connected to.
    public let socketPath: String
    private let client: RPCClient

    /// The connection settings: this side accepts the largest frames the
    /// protocol allows (16 MiB, a message being one frame), since answers
    /// such as an overview of a large portfolio are big and the socket is
    /// local.
    static var configuration: RPCConnectionConfiguration {
        var configuration = RPCConnectionConfiguration()
        configuration.connection.preface.maxFrameSize = Preface.frameSizeRange.upperBound
        return configuration
    }

    /// Connects to the socket at `path`, runs `body`, and closes the
    /// connection afterwards.
    /// - Throws: ``ControlClientError/unreachable(socket:reason:)`` when no
    ///   daemon answers on `path`; otherwise what `body` throws.
    public static func withConnection<Result: Sendable>(
        socket path: String,
        logger: Logger = Logger(label: "kiem.control", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (ControlClient) async throws -> Result
    ) async throws -> Result {
        let client: RPCClient
        do {
            client = try await RPCClient.connect(to: .unixDomainSocket(path: path), configuration: configuration, logger: logger)
        } catch {
            throw ControlClientError.unreachable(socket: path, reason: Self.reason(for: error, path: path))
        }
        let control = ControlClient(socketPath: path, client: client)
        do {
            let result = try await body(control)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// Calls a unary method.
    /// - Throws: ``KiemProtocol/RPCError`` with the daemon's status (e.g.
    ///   `PERMISSION_DENIED` for a write the rules refuse).
    public func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, timeout: Duration? = ControlClient.defaultTimeout
    ) async throws -> Response {
        try await client.unary(method, request: request, options: RPCCallOptions(timeout: timeout))
    }

    /// Calls a server-streaming method (`Watch`, `Sync`); `body` reads the
    /// responses. Returning from `body` cancels the call.
    public func stream<Request, Response, Result: Sendable>(
        _ method: RPCMethod<Request, Response>, _ request: Request, timeout: Duration? = nil,
        _ body: (RPCMessageStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await client.serverStreaming(method, request: request, options: RPCCallOptions(timeout: timeout), responses: body)
    }

    private static func reason(for error: any Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "no socket at \(path)"
        }
        if !FileManager.default.isWritableFile(atPath: path) {
            return "no permission to open \(path) (it belongs to the user kiemd runs as)"
        }
        return "nothing answers on \(path) (\(error))"
    }
}

/// Why a control call could not be made.
public enum ControlClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No daemon answers on the socket.
    case unreachable(socket: String, reason: String)

    public var description: String {
        switch self {
        case let .unreachable(_, reason): "is kiemd running? \(reason)"
        }
    }
}
