extension CanonicalReader {
    /// Reads a node id, refusing an invalid slug.
    public mutating func readNodeID(_ field: String) throws(CanonicalDecodingError) -> NodeID {
        let text = try readShortString(field)
        do { return try NodeID(text) } catch { throw .invalid(field: field, reason: error.description) }
    }

    /// Reads an organisation id, refusing an invalid slug.
    public mutating func readOrganisationID(_ field: String) throws(CanonicalDecodingError) -> OrganisationID {
        let text = try readShortString(field)
        do { return try OrganisationID(text) } catch { throw .invalid(field: field, reason: error.description) }
    }

    /// Reads an initiative id from its 16 bytes.
    public mutating func readInitiativeID(_ field: String) throws(CanonicalDecodingError) -> InitiativeID {
        InitiativeID(timestamp: HLCTimestamp(rawValue: try readInteger(field)), nodeHash: try readInteger(field))
    }

    /// Reads an op id.
    public mutating func readOpID(_ field: String) throws(CanonicalDecodingError) -> OpID {
        let origin = try readNodeID(field)
        let seq: UInt64 = try readInteger(field)
        guard seq > 0 else { throw .invalid(field: field, reason: "sequence numbers start at 1") }
        return OpID(origin: origin, seq: seq)
    }

    /// Reads a list of op ids.
    public mutating func readOpIDs(_ field: String) throws(CanonicalDecodingError) -> [OpID] {
        try readList(field, minimumElementSize: 12) { (reader: inout Self) throws(CanonicalDecodingError) in
            try reader.readOpID(field)
        }
    }
}
