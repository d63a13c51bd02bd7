extension Preface {
    /// Agrees on a version with the peer's preface.
    ///
    /// The version is the highest one both ranges contain:
    /// `min(local.maxVersion, peer.maxVersion)`, provided it is at least
    /// `max(local.minVersion, peer.minVersion)`. Both sides compute the same
    /// result from the same two prefaces, so nothing more is exchanged.
    /// - Parameter peer: the preface the peer sent.
    /// - Returns: the settings in force, or the connection error to send in
    ///   GOAWAY (`UNSUPPORTED_VERSION`, or `PROTOCOL_ERROR` for an invalid
    ///   preface) when there is no common version.
    public func negotiate(with peer: Preface) -> Result<NegotiatedSettings, ConnectionError> {
        if let failure = peer.validationFailure {
            return .failure(.protocolError("malformed preface: \(failure)"))
        }
        let highest = Swift.min(self.maxVersion, peer.maxVersion)
        let lowest = Swift.max(self.minVersion, peer.minVersion)
        guard highest >= lowest else {
            return .failure(
                ConnectionError(
                    .unsupportedVersion,
                    "no common protocol version: we speak \(self.minVersion)...\(self.maxVersion), peer speaks \(peer.minVersion)...\(peer.maxVersion)"
                )
            )
        }
        return .success(NegotiatedSettings(version: highest, local: self, peer: peer))
    }
}
