import Crypto

/// The canonical encoding of an initiative's visible state: what a user can
/// see, including concurrent register values, but not superseded writes or
/// removed set tags. Two initiatives with equal visible state encode to equal
/// bytes; the replica digest hashes their hashes.
extension Initiative {
    /// The size of ``visibleStateHash`` in bytes.
    public static let visibleStateHashSize = 32

    /// SHA-256 of ``visibleStateBytes``: what ``StateDigest`` takes per
    /// initiative, and all a store keeps of the visible state.
    public var visibleStateHash: [UInt8] { Self.visibleStateHash(of: visibleStateBytes) }

    /// The hash of visible-state bytes: ``visibleStateHash`` computed from
    /// bytes ``visibleStateBytes`` produced before (for stores that kept them).
    public static func visibleStateHash(of bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// The visible state in canonical form.
    public var visibleStateBytes: [UInt8] {
        // Room for a typical initiative with a long description, so the
        // buffer is not grown twice on the way.
        var writer = CanonicalWriter(capacity: 2_048)
        writer.write(raw: Array("KIN1".utf8))
        writer.write(id)
        writer.writeShort(owner.rawValue)
        writer.write(createdBy)
        writer.write(createdAt.rawValue)
        writer.write(optional: derivedFrom) { $0.write($1) }
        for field in TextField.allCases {
            writer.writeRegister(texts[field]) { $0.write($1) }
        }
        writer.writeRegister(phase) { writer, value in
            writer.write(value.phase.rawValue)
            writer.write(optional: value.lessonsLearned) { $0.write($1) }
        }
        writer.writeRegister(archived) { $0.write($1) }
        writer.write(list: themes.elements) { $0.write($1) }
        writer.write(list: links.elements) { $0.write($1) }
        writer.write(list: adoptions.keys.sorted()) { writer, organisation in
            writer.writeShort(organisation.rawValue)
            writer.writeRegister(adoptions[organisation]!) { writer, adoption in
                writer.write(adoption.status.rawValue)
                writer.write(adoption.note)
            }
        }
        writer.write(list: endorsements.keys.sorted()) { writer, organisation in
            writer.writeShort(organisation.rawValue)
            writer.writeRegister(endorsements[organisation]!) { writer, endorsement in
                writer.write(endorsement.endorsed)
                writer.write(endorsement.note)
            }
        }
        writer.write(list: progress) { writer, record in
            writer.write(record.op)
            writer.write(record.hlc.rawValue)
            writer.writeShort(record.author.rawValue)
            writer.write(record.entry.date)
            writer.write(record.entry.text)
            writer.write(list: record.entry.metrics.sorted { $0.key < $1.key }) { writer, metric in
                writer.write(metric.key)
                writer.write(metric.value)
            }
        }
        // Annotations came later than the rest: an initiative nobody
        // annotated encodes to the same bytes as before they existed, so
        // replicas' digests did not change with the upgrade.
        if !annotations.isEmpty {
            writer.write(list: annotations.keys.sorted()) { writer, organisation in
                writer.writeShort(organisation.rawValue)
                writer.writeRegister(annotations[organisation]!) { writer, annotation in
                    writer.write(annotation.label)
                    writer.write(annotation.priority.rawValue)
                    writer.write(annotation.note)
                }
            }
        }
        return writer.bytes
    }
}

extension CanonicalWriter {
    /// Writes a register's visible writes, winner first.
    fileprivate mutating func writeRegister<Value>(
        _ register: MultiValueRegister<Value>, _ value: (inout Self, Value) -> Void
    ) {
        func writeOne(_ writer: inout Self, _ registerWrite: RegisterWrite<Value>) {
            writer.write(registerWrite.op)
            writer.write(registerWrite.hlc.rawValue)
            value(&writer, registerWrite.value)
        }
        // The same bytes as the list of `writesByPrecedence`: a count of one,
        // then the write.
        if let sole = register.soleWrite {
            write(UInt32(1))
            writeOne(&self, sole)
        } else {
            write(list: register.writesByPrecedence, writeOne)
        }
    }
}
