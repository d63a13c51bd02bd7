public import Foundation
public import KiemCore

extension InitiativeID {
    /// The 16-byte column form: the timestamp then the node hash, both
    /// big-endian, so SQLite's memcmp order of the blobs is the id order.
    public var storeData: Data {
        var bytes = (timestamp.rawValue.bigEndian, nodeHash.bigEndian)
        return withUnsafeBytes(of: &bytes) { Data($0) }
    }

    /// Rebuilds an id from its column form; nil unless exactly 16 bytes.
    init?(storeData data: Data) {
        guard data.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        let start = data.startIndex
        for index in 0..<8 {
            high = high << 8 | UInt64(data[start + index])
            low = low << 8 | UInt64(data[start + index + 8])
        }
        self.init(timestamp: HLCTimestamp(rawValue: high), nodeHash: low)
    }
}
