import Foundation
import SwiftProtobuf
public import KiemCore
public import KiemWire

extension VersionVector {
    /// The wire form: entries sorted by origin, zero entries left out.
    public var proto: Kiem_V1_VersionVector { proto(heads: [:]) }

    /// The wire form with each origin's chain hash after its entry where
    /// `heads` has the head at that seq (WIRE.md section 13, "Equivocation").
    public func proto(heads: [NodeID: OriginChainState]) -> Kiem_V1_VersionVector {
        Kiem_V1_VersionVector.with { vector in
            vector.entries = entries.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { origin, seq in
                Kiem_V1_VersionEntry.with {
                    $0.origin = origin.rawValue
                    $0.seq = seq
                    if let head = heads[origin], head.seq == seq { $0.chain = Data(head.chain) }
                }
            }
        }
    }

    /// Reads the wire form.
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` for an origin that is not a
    ///   node id or an origin listed twice.
    public init(proto: Kiem_V1_VersionVector) throws(RPCError) {
        var entries: [NodeID: UInt64] = [:]
        for entry in proto.entries {
            guard let origin = try? NodeID(entry.origin) else {
                throw RPCError(code: .invalidArgument, message: "version vector origin \"\(entry.origin)\" is not a node id")
            }
            guard entries.updateValue(entry.seq, forKey: origin) == nil else {
                throw RPCError(code: .invalidArgument, message: "version vector lists origin \(origin) twice")
            }
        }
        self.init(entries)
    }
}
