import Crypto

/// The canonical byte form of an op, the only form that hashes and signatures
/// cover (every byte: Protocols/WIRE.md section 16):
///
/// ```
/// canonical = header | payload length (u32) | payload
/// header    = "KOP1" | origin | seq | hlc | author | initiative | SHA-256(payload)
/// ```
extension Op {
    /// The four bytes that start every canonical op, naming encoding version 1.
    public static let canonicalMagic: [UInt8] = Array("KOP1".utf8)
    /// The largest payload accepted (1 MiB): far above any real op, small
    /// enough that a hostile peer cannot make a replica allocate much.
    public static let maximumPayloadSize = 1 << 20

    /// The payload: the mutation in canonical form.
    public var payloadBytes: [UInt8] {
        var writer = CanonicalWriter()
        mutation.write(to: &writer)
        return writer.bytes
    }

    /// The header for a payload with the given digest.
    public func headerBytes(payloadDigest: [UInt8]) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 96)
        writer.write(raw: Self.canonicalMagic)
        writer.writeShort(id.origin.rawValue)
        writer.write(id.seq)
        writer.write(hlc.rawValue)
        writer.writeShort(author.rawValue)
        writer.write(initiative)
        writer.write(raw: payloadDigest)
        return writer.bytes
    }

    /// The header, which names the payload by its SHA-256 digest.
    public var headerBytes: [UInt8] { headerBytes(payloadDigest: Self.digest(of: payloadBytes)) }

    /// The length of the header: the prefix of ``canonicalBytes`` that
    /// ``headerBytes`` is, so a receiver that holds the canonical bytes can
    /// take the header from them instead of encoding the payload again.
    public var headerLength: Int {
        Self.canonicalMagic.count + 2 + id.origin.rawValue.utf8.count + 8 + 8 + 2 + author.rawValue.utf8.count + 16 + 32
    }

    /// Header, payload length and payload.
    public var canonicalBytes: [UInt8] {
        let payload = payloadBytes
        var writer = CanonicalWriter(capacity: 100 + payload.count)
        writer.write(raw: headerBytes(payloadDigest: Self.digest(of: payload)))
        writer.write(UInt32(payload.count))
        writer.write(raw: payload)
        return writer.bytes
    }

    /// Decodes the canonical form strictly (WIRE.md section 16.6): bad magic,
    /// invalid identifiers, a payload over ``maximumPayloadSize`` or erased
    /// (length 0), a payload that does not match its digest, unknown tags or
    /// enumeration values, truncation and trailing bytes are all refused.
    public init(canonicalBytes bytes: [UInt8]) throws(CanonicalDecodingError) {
        var reader = CanonicalReader(bytes)
        guard try reader.readRaw(4, "magic") == Self.canonicalMagic else {
            throw .invalid(field: "magic", reason: "not a canonical Kiem op (expected \"KOP1\")")
        }
        let origin = try reader.readNodeID("origin")
        let seq: UInt64 = try reader.readInteger("seq")
        guard seq > 0 else { throw .invalid(field: "seq", reason: "sequence numbers start at 1") }
        let hlc = HLCTimestamp(rawValue: try reader.readInteger("hlc"))
        let author = try reader.readOrganisationID("author")
        let initiative = try reader.readInitiativeID("initiative")
        let declaredDigest = try reader.readRaw(32, "payload digest")
        let payloadLength = Int(try reader.readInteger("payload length", as: UInt32.self))
        guard payloadLength <= Self.maximumPayloadSize else {
            throw .invalid(field: "payload length", reason: "\(payloadLength) bytes is over the \(Self.maximumPayloadSize)-byte maximum")
        }
        let id = OpID(origin: origin, seq: seq)
        guard payloadLength > 0 else { throw .erasedPayload(id) }
        let payload = try reader.readRaw(payloadLength, "payload")
        try reader.finish()
        guard Self.digest(of: payload) == declaredDigest else { throw .payloadDigestMismatch(id) }
        var payloadReader = CanonicalReader(payload)
        let mutation = try Mutation(from: &payloadReader)
        try payloadReader.finish()
        self.init(id: id, hlc: hlc, author: author, initiative: initiative, mutation: mutation)
    }

    /// SHA-256 of `bytes`.
    public static func digest(of bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

}
