/// Why the clock refused a remote timestamp.
public enum ClockError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The remote timestamp is further ahead of our wall clock than allowed.
    case remoteTooFarAhead(remote: HLCTimestamp, localWallMillis: UInt64, maxSkewMillis: UInt64)

    public var description: String {
        switch self {
        case let .remoteTooFarAhead(remote, wall, skew):
            let ahead = remote.wallMillis - wall
            return "remote timestamp \(remote) is \(ahead) ms ahead of the local clock (\(wall)); "
                + "at most \(skew) ms of clock skew is accepted: check the clocks (NTP) on both nodes"
        }
    }
}
