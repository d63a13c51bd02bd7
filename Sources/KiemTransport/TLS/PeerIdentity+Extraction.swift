public import KiemCore
public import X509
internal import SwiftASN1

extension PeerIdentity {
    /// Reads who a (chain-verified) leaf certificate names.
    ///
    /// - A Kiem-issued certificate names itself in the SAN URI
    ///   `urn:kiem:org:<organisation>:node:<node>`. Its Subject serialNumber,
    ///   when it is an OIN, is kept; if the membership list maps that OIN to a
    ///   different organisation the certificate is refused as conflicting.
    /// - A certificate without a Kiem URN (PKIoverheid-style) must carry an OIN
    ///   in its Subject serialNumber; the membership list maps it to the
    ///   organisation, and the node is the Subject common name made into a
    ///   node slug (`Kiem.UWV.nl` → `kiem-uwv-nl`).
    public static func extract(
        leaf: Certificate,
        chain: [Certificate],
        membership: [OIN: OrganisationID]
    ) -> Result<PeerIdentity, PeerRefusal> {
        let names: SubjectAlternativeNames?
        do {
            names = try leaf.extensions.subjectAlternativeNames
        } catch {
            return .failure(.malformedCertificate(reason: "its subject alternative names do not parse: \(error)"))
        }
        let kiemURIs = Set((names ?? SubjectAlternativeNames()).compactMap { name -> String? in
            guard case .uniformResourceIdentifier(let uri) = name, KiemNodeURN.isKiemURN(uri) else { return nil }
            return uri
        })
        let serialNumbers = Set(leaf.subject.attributeValues(of: PKIObjectIdentifiers.subjectSerialNumber))
        let commonNames = leaf.subject.attributeValues(of: .RDNAttributeType.commonName)

        if !kiemURIs.isEmpty {
            guard kiemURIs.count == 1, let uri = kiemURIs.first else {
                return .failure(.missingIdentity(reason: "it names several Kiem URNs: \(kiemURIs.sorted().joined(separator: ", "))"))
            }
            let urn: KiemNodeURN
            do {
                urn = try KiemNodeURN(parsing: uri)
            } catch {
                return .failure(.missingIdentity(reason: error.description))
            }
            let oin = serialNumbers.count == 1 ? serialNumbers.first.flatMap { try? OIN($0) } : nil
            if let oin, let member = membership[oin], member != urn.organisation {
                return .failure(.conflictingIdentity(
                    reason: "its URN names '\(urn.organisation)' but its OIN \(oin) belongs to '\(member)'"
                ))
            }
            return .success(PeerIdentity(
                organisation: urn.organisation, node: urn.node, oin: oin,
                source: .kiemURN, certificate: leaf, chain: chain
            ))
        }

        guard !serialNumbers.isEmpty else {
            return .failure(.missingIdentity(reason: "it has no Kiem URN and no OIN in its Subject serialNumber"))
        }
        guard serialNumbers.count == 1, let serialNumber = serialNumbers.first else {
            return .failure(.missingIdentity(reason: "its Subject has several serialNumber values"))
        }
        let oin: OIN
        do throws(OINError) {
            oin = try OIN(serialNumber)
        } catch {
            return .failure(.missingIdentity(reason: "its Subject serialNumber is not an OIN (\(error.reason))"))
        }
        guard let organisation = membership[oin] else {
            return .failure(.unknownOIN(oin))
        }
        guard commonNames.count == 1, let commonName = commonNames.first else {
            return .failure(.missingIdentity(reason: "it needs exactly one Subject common name to name the node"))
        }
        guard let node = nodeID(fromCommonName: commonName) else {
            return .failure(.missingIdentity(reason: "its common name '\(commonName)' cannot be made into a node id"))
        }
        return .success(PeerIdentity(
            organisation: organisation, node: node, oin: oin,
            source: .membershipList, certificate: leaf, chain: chain
        ))
    }

    /// `Kiem.UWV.nl` → `kiem-uwv-nl`: lowercase, every run of characters
    /// other than letters and digits becomes one `-`, trimmed at both ends.
    /// `nil` if the result is not a valid ``NodeID``.
    public static func nodeID(fromCommonName commonName: String) -> NodeID? {
        var slug = ""
        var pendingHyphen = false
        for scalar in commonName.lowercased().unicodeScalars {
            let isSlugCharacter = scalar.isASCII
                && ((scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9"))
            if isSlugCharacter {
                if pendingHyphen && !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        return try? NodeID(slug)
    }
}

extension DistinguishedName {
    /// The string values of every attribute of `type`, in order.
    func attributeValues(of type: ASN1ObjectIdentifier) -> [String] {
        flatMap { $0 }.compactMap { attribute in
            attribute.type == type ? String(attribute.value) : nil
        }
    }
}
