/// Which end of a connection a state machine runs on.
///
/// The side that dials is the client: it opens every stream. The side that
/// accepts is the server: it answers streams and never opens one.
public enum ConnectionRole: Sendable, Hashable {
    /// The dialing side; opens streams.
    case client
    /// The accepting side; serves streams.
    case server
}
