/// A progress entry as it sits in an initiative's log.
public struct ProgressRecord: Hashable, Sendable {
    /// The entry.
    public let entry: ProgressEntry
    /// The organisation that wrote it.
    public let author: OrganisationID
    /// When it was written.
    public let hlc: HLCTimestamp
    /// The op that wrote it.
    public let op: OpID

    /// Log order: by HLC, then op id.
    func precedes(_ other: Self) -> Bool { (hlc, op) < (other.hlc, other.op) }
}
