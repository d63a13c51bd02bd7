extension CanonicalWriter {
    /// Appends an initiative id as its 16 bytes.
    public mutating func write(_ id: InitiativeID) {
        write(id.timestamp.rawValue)
        write(id.nodeHash)
    }

    /// Appends an op id: origin (u16-prefixed) and seq.
    public mutating func write(_ id: OpID) {
        writeShort(id.origin.rawValue)
        write(id.seq)
    }

    /// Appends a list of op ids.
    public mutating func write(_ ids: [OpID]) {
        write(list: ids) { $0.write($1) }
    }
}
