import Foundation

extension PeerRefusal {
    /// Maps an error raised during (or just after) a TLS handshake onto a
    /// refusal. BoringSSL names its failures with stable reason strings, which
    /// NIOSSL carries in the error's description:
    /// - `PEER_DID_NOT_RETURN_A_CERTIFICATE`: no client certificate;
    /// - `BAD_SIGNATURE`: the CertificateVerify signature does not verify with
    ///   the certificate's key, i.e. proof of possession failed;
    /// - `…_ALERT_…` / `TLSV1_CERTIFICATE_REQUIRED`: the peer sent an alert,
    ///   i.e. it refused us;
    /// - `UNSUPPORTED_PROTOCOL`: no TLS 1.3 on offer.
    ///
    /// A verification refusal produced by ``PeerCertificateVerifier`` is more
    /// precise than BoringSSL's `CERTIFICATE_VERIFY_FAILED`; the channel glue
    /// prefers it when it has one.
    public static func classify(handshakeError error: any Error) -> PeerRefusal {
        if let refusal = error as? PeerRefusal { return refusal }
        let text = String(describing: error)
        let tokens = text.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "(" || $0 == ")" || $0 == "," || $0 == "\"" })
            .map(String.init)
        if tokens.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
            return .noCertificate
        }
        if tokens.contains("BAD_SIGNATURE") || tokens.contains("WRONG_SIGNATURE_TYPE") {
            return .keyMismatch
        }
        if let alert = tokens.lazy.compactMap(Self.alertName(fromReason:)).first {
            return .rejectedByPeer(alert: alert)
        }
        if tokens.contains("CERTIFICATE_VERIFY_FAILED") {
            return .handshakeFailed(reason: "the peer's certificate did not pass verification")
        }
        if tokens.contains("UNSUPPORTED_PROTOCOL") || tokens.contains("UNSUPPORTED_PROTOCOL_FOR_CUSTOM_KEY") {
            return .handshakeFailed(reason: "the peer does not offer TLS 1.3")
        }
        if tokens.contains("WRONG_VERSION_NUMBER") || tokens.contains("HTTP_REQUEST") {
            return .handshakeFailed(reason: "the peer does not speak TLS")
        }
        if text.contains("EOF during handshake") || text.contains("uncleanShutdown") {
            return .handshakeFailed(reason: "the connection closed during the TLS handshake")
        }
        return .handshakeFailed(reason: text)
    }

    /// `SSLV3_ALERT_BAD_CERTIFICATE` → `bad certificate`,
    /// `TLSV1_CERTIFICATE_REQUIRED` → `certificate required`.
    static func alertName(fromReason reason: String) -> String? {
        let name: Substring
        if reason.hasPrefix("SSLV3_ALERT_") {
            name = reason.dropFirst("SSLV3_ALERT_".count)
        } else if reason.hasPrefix("TLSV1_ALERT_") {
            name = reason.dropFirst("TLSV1_ALERT_".count)
        } else if reason == "TLSV1_CERTIFICATE_REQUIRED" || reason == "TLSV1_UNKNOWN_PSK_IDENTITY" {
            name = reason.dropFirst("TLSV1_".count)
        } else {
            return nil
        }
        guard !name.isEmpty else { return nil }
        return name.lowercased().replacingOccurrences(of: "_", with: " ")
    }
}
