/// The outcome of an RPC, numbered exactly as gRPC numbers its status codes.
///
/// The raw values are part of the wire format (TRAILERS and RST frames carry
/// them as a big-endian `UInt16`) and never change. A receiver maps a value it
/// does not know to ``unknown``.
public enum StatusCode: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not an error; returned on success.
    case ok = 0
    /// The operation was cancelled, typically by the caller.
    case cancelled = 1
    /// Unknown error, also used for a status code this side does not know.
    case unknown = 2
    /// The client specified an invalid argument.
    case invalidArgument = 3
    /// The deadline expired before the operation could complete.
    case deadlineExceeded = 4
    /// Some requested entity was not found.
    case notFound = 5
    /// The entity that a client attempted to create already exists.
    case alreadyExists = 6
    /// The caller does not have permission to execute the operation.
    case permissionDenied = 7
    /// Some resource has been exhausted (stream limit, message too large, quota).
    case resourceExhausted = 8
    /// The system is not in a state required for the operation's execution.
    case failedPrecondition = 9
    /// The operation was aborted, typically due to a concurrency issue.
    case aborted = 10
    /// The operation was attempted past the valid range.
    case outOfRange = 11
    /// The operation is not implemented or not supported (unknown method).
    case unimplemented = 12
    /// Internal error: an invariant the system expects was broken.
    case internalError = 13
    /// The service is currently unavailable; retrying may succeed.
    case unavailable = 14
    /// Unrecoverable data loss or corruption (e.g. an op failing its integrity check).
    case dataLoss = 15
    /// The request does not have valid authentication credentials.
    case unauthenticated = 16

    /// Maps a wire value to a code; values this side does not know become ``unknown``.
    public init(wireValue: UInt16) {
        self = StatusCode(rawValue: wireValue) ?? .unknown
    }

    /// The gRPC name of the code, e.g. `DEADLINE_EXCEEDED`.
    public var description: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }
}
