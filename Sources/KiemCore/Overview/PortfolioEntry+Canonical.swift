/// A compact, versioned encoding of a ``PortfolioEntry``, so that a store
/// can keep each initiative's overview facts beside its row and load a
/// whole portfolio without rebuilding the CRDT values.
///
/// `KPE2` added the annotations and the active days at the end; `KPE1`
/// bytes, written before they existed, still read (with no annotations, and
/// the days of the entry's timestamps for its active days).
extension PortfolioEntry {
    private static let magic = Array("KPE2".utf8)
    private static let magicWithoutAnnotations = Array("KPE1".utf8)

    /// The entry as bytes; ``init(canonicalBytes:)`` reads them back.
    public var canonicalBytes: [UInt8] {
        var writer = CanonicalWriter(capacity: 128 + title.utf8.count + (lessonsLearned?.utf8.count ?? 0))
        writer.write(raw: Self.magic)
        writer.write(id)
        writer.writeShort(owner.rawValue)
        writer.write(title)
        writer.write(phase.rawValue)
        writer.write(optional: lessonsLearned) { $0.write($1) }
        writer.write(list: themes) { $0.writeShort($1) }
        writer.write(list: adoptions.keys.sorted()) { writer, organisation in
            writer.writeShort(organisation.rawValue)
            writer.write(adoptions[organisation]!.rawValue)
        }
        writer.write(list: endorsers) { $0.writeShort($1.rawValue) }
        writer.write(optional: derivedFrom) { $0.write($1) }
        writer.write(createdAt.rawValue)
        writer.write(lastPhaseChange.rawValue)
        writer.write(optional: lastProgress) { $0.write($1.rawValue) }
        writer.write(lastChanged.rawValue)
        writer.write(isArchived)
        writer.write(list: annotations.keys.sorted()) { writer, organisation in
            let annotation = annotations[organisation]!
            writer.writeShort(organisation.rawValue)
            writer.writeShort(annotation.label)
            writer.write(annotation.priority.rawValue)
            writer.write(annotation.note)
        }
        writer.write(list: activeDays) { $0.write($1) }
        return writer.bytes
    }

    /// Reads bytes written by ``canonicalBytes``.
    public init(canonicalBytes bytes: [UInt8]) throws(CanonicalDecodingError) {
        var reader = CanonicalReader(bytes)
        let magic = try reader.readRaw(4, "magic")
        guard magic == Self.magic || magic == Self.magicWithoutAnnotations else {
            throw .invalid(field: "magic", reason: "not a portfolio entry")
        }
        let id = try reader.readInitiativeID("id")
        let owner = try reader.readOrganisationID("owner")
        let title = try reader.readString("title")
        let phaseValue = try reader.readUInt8("phase")
        guard let phase = Phase(rawValue: phaseValue) else {
            throw .invalid(field: "phase", reason: "unknown phase \(phaseValue)")
        }
        let lessons = try reader.readOptional("lessons learned") { reader throws(CanonicalDecodingError) in
            try reader.readString("lessons learned")
        }
        let themes = try reader.readList("themes") { reader throws(CanonicalDecodingError) in try reader.readShortString("theme") }
        let adoptions = try reader.readList("adoptions") { reader throws(CanonicalDecodingError) -> (OrganisationID, AdoptionStatus) in
            let organisation = try reader.readOrganisationID("adopter")
            let value = try reader.readUInt8("adoption status")
            guard let status = AdoptionStatus(rawValue: value) else {
                throw .invalid(field: "adoption status", reason: "unknown status \(value)")
            }
            return (organisation, status)
        }
        let endorsers = try reader.readList("endorsers") { reader throws(CanonicalDecodingError) in
            try reader.readOrganisationID("endorser")
        }
        let derivedFrom = try reader.readOptional("derived from") { reader throws(CanonicalDecodingError) in
            try reader.readInitiativeID("derived from")
        }
        let createdAt = HLCTimestamp(rawValue: try reader.readInteger("created", as: UInt64.self))
        let lastPhaseChange = HLCTimestamp(rawValue: try reader.readInteger("phase changed", as: UInt64.self))
        let lastProgress = try reader.readOptional("last progress") { reader throws(CanonicalDecodingError) in
            HLCTimestamp(rawValue: try reader.readInteger("last progress", as: UInt64.self))
        }
        let lastChanged = HLCTimestamp(rawValue: try reader.readInteger("last changed", as: UInt64.self))
        let archived = try reader.readBool("archived")
        let current = magic == Self.magic
        let annotations = current ? try reader.readList("annotations") {
            reader throws(CanonicalDecodingError) -> (OrganisationID, Annotation) in
            let organisation = try reader.readOrganisationID("annotating organisation")
            let label = try reader.readShortString("label")
            let value = try reader.readUInt8("priority")
            guard let priority = Annotation.Priority(rawValue: value) else {
                throw .invalid(field: "priority", reason: "unknown priority \(value)")
            }
            return (organisation, Annotation(label: label, priority: priority, note: try reader.readString("note")))
        } : []
        let activeDays = current ? try reader.readList("active days", minimumElementSize: 4) {
            reader throws(CanonicalDecodingError) in try reader.readInteger("active day", as: UInt32.self)
        } : nil
        try reader.finish()
        self.init(
            id: id, owner: owner, title: title, phase: phase, lessonsLearned: lessons, themes: themes,
            adoptions: Dictionary(adoptions) { first, _ in first }, endorsers: endorsers, derivedFrom: derivedFrom,
            createdAt: createdAt, lastPhaseChange: lastPhaseChange, lastProgress: lastProgress,
            lastChanged: lastChanged, isArchived: archived,
            annotations: Dictionary(annotations) { first, _ in first }, activeDays: activeDays)
    }
}
