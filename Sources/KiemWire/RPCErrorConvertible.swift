/// An error that knows the status it ends a call with, as grpc-swift 2's
/// `RPCErrorConvertible`: a handler throws it and the caller receives
/// ``rpcError``'s code and message, chosen by the error's author.
///
/// A handler error that is neither an ``RPCError`` nor convertible is an
/// internal fault: a peer receives `UNKNOWN` with a fixed message, never the
/// error's text (which may name files or internals); the server logs it.
public protocol RPCErrorConvertible: Error {
    /// The status and message the caller receives.
    var rpcError: RPCError { get }
}
