/// Why a PKI operation (creating a CA, issuing, loading or writing key and
/// certificate files) was refused or failed. Every case reads as one sentence
/// an operator can act on.
public enum PKIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A file would be overwritten and `--force` was not given.
    case fileExists(path: String)
    /// A file that must exist is missing.
    case missingFile(path: String)
    /// A file exists but could not be read or parsed.
    case unreadableFile(path: String, reason: String)
    /// A file or folder could not be written.
    case writeFailed(path: String, reason: String)
    /// A private key is not the key of the certificate it is paired with.
    case keyDoesNotMatchCertificate(key: String, certificate: String)
    /// The certificate given as CA is not a CA certificate.
    case notACertificateAuthority(subject: String)
    /// The node folder and the CA folder are the same folder.
    case outputIsCAFolder(path: String)
    /// The CA certificate has expired (or is not yet valid): it cannot issue.
    case caNotValid(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileExists(let path):
            return "refusing to overwrite \(path): it already exists (pass --force to replace it)"
        case .missingFile(let path):
            return "\(path) does not exist"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .keyDoesNotMatchCertificate(let key, let certificate):
            return "the private key \(key) does not belong to the certificate \(certificate)"
        case .notACertificateAuthority(let subject):
            return "the certificate '\(subject)' is not a CA certificate (basicConstraints CA=true is missing)"
        case .outputIsCAFolder(let path):
            return "refusing to put node files in the CA folder \(path): keep the CA key apart from node keys"
        case .caNotValid(let path, let reason):
            return "the CA certificate \(path) cannot issue: \(reason)"
        }
    }
}
