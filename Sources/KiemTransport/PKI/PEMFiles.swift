public import X509
import Foundation
internal import SwiftASN1

/// Reading PEM key and certificate files, with errors that name the file.
public enum PEMFiles {
    /// All certificates in a PEM file, in file order (leaf first for a chain).
    public static func certificates(at path: String) throws(PKIError) -> [Certificate] {
        let text = try Self.text(at: path)
        return try Self.certificates(pem: text, source: path)
    }

    /// All certificates in PEM text, in order.
    public static func certificates(pem text: String, source: String = "PEM text") throws(PKIError) -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw .unreadableFile(path: source, reason: "not PEM: \(error)")
        }
        var certificates: [Certificate] = []
        for document in documents where document.discriminator == "CERTIFICATE" {
            do {
                certificates.append(try Certificate(derEncoded: document.derBytes))
            } catch {
                throw .unreadableFile(path: source, reason: "a certificate does not parse: \(error)")
            }
        }
        guard !certificates.isEmpty else {
            throw .unreadableFile(path: source, reason: "no CERTIFICATE block in it")
        }
        return certificates
    }

    /// The private key in a PEM file (PKCS#8, SEC1 or PKCS#1 RSA).
    public static func privateKey(at path: String) throws(PKIError) -> Certificate.PrivateKey {
        let text = try Self.text(at: path)
        return try Self.privateKey(pem: text, source: path)
    }

    /// The private key in PEM text.
    public static func privateKey(pem text: String, source: String = "PEM text") throws(PKIError) -> Certificate.PrivateKey {
        do {
            return try Certificate.PrivateKey(pemEncoded: text)
        } catch {
            throw .unreadableFile(path: source, reason: "not a supported PEM private key: \(error)")
        }
    }

    /// PEM text of certificates, one block after the other.
    public static func pem(_ certificates: [Certificate]) throws -> String {
        try certificates.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
    }

    /// PEM text of a private key.
    public static func pem(_ key: Certificate.PrivateKey) throws -> String {
        try key.serializeAsPEM().pemString + "\n"
    }

    static func text(at path: String) throws(PKIError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
    }
}
