import X509

extension CertificateExpiry {
    /// The node certificate in a chain file (PEM, leaf first), named `node`.
    /// - Throws: ``PKIError`` when the file cannot be read or holds no certificate.
    public static func node(_ node: String, chainFile path: String) throws(PKIError) -> CertificateExpiry {
        // PEMFiles refuses a file without a certificate.
        let leaf = try PEMFiles.certificates(at: path)[0]
        return CertificateExpiry(kind: .node, name: node, notValidAfter: leaf.notValidAfter)
    }

    /// Each CA certificate in a PEM file, named by its subject.
    /// - Throws: ``PKIError`` when the file cannot be read.
    public static func cas(file path: String) throws(PKIError) -> [CertificateExpiry] {
        try PEMFiles.certificates(at: path).map(CertificateExpiry.init(ca:))
    }
}
