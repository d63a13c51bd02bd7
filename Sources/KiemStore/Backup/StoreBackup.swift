public import KiemCore

/// What a backup file holds: a consistent copy of a store at one moment.
public struct StoreBackup: Sendable, Equatable {
    /// The backup file.
    public var path: String
    /// Its size in bytes.
    public var sizeBytes: UInt64
    /// The initiatives and ops it holds.
    public var counts: StoreCounts
    /// Which ops it holds.
    public var versionVector: VersionVector

    public init(path: String, sizeBytes: UInt64, counts: StoreCounts, versionVector: VersionVector) {
        self.path = path
        self.sizeBytes = sizeBytes
        self.counts = counts
        self.versionVector = versionVector
    }
}
