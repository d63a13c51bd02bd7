/// Bounds and formats for field values. A value outside them makes the op
/// invalid on every replica.
enum Validation {
    static let maxTitle = 200
    static let maxShortText = 2_000
    static let maxLongText = 20_000
    static let maxNameLength = 64
    static let maxReferences = 1_000
    static let maxMetrics = 32
    static let maxThemeLength = 40

    /// A sentence describing what is wrong with `mutation`, or nil if valid.
    static func problem(in mutation: Mutation) -> String? {
        switch mutation {
        case let .create(draft):
            return textProblem(.title, draft.title) ?? textProblem(.summary, draft.summary)
                ?? textProblem(.description, draft.description) ?? textProblem(.contact, draft.contact)
                ?? textProblem(.funding, draft.funding) ?? phaseProblem(draft.phase)
                ?? draft.themes.lazy.compactMap(themeProblem).first
                ?? draft.links.lazy.compactMap(linkProblem).first
        case let .setText(field, value, supersedes):
            return textProblem(field, value) ?? referencesProblem(supersedes)
        case let .setPhase(value, supersedes):
            return phaseProblem(value) ?? referencesProblem(supersedes)
        case let .addElement(set, element):
            return set == .themes ? themeProblem(element) : linkProblem(element)
        case let .removeElement(_, element, tags):
            return element.isEmpty ? "an element to remove must not be empty" : referencesProblem(tags)
        case let .setAdoption(adoption, supersedes):
            return lengthProblem("note", adoption.note, maxShortText) ?? referencesProblem(supersedes)
        case let .setEndorsement(endorsement, supersedes):
            return lengthProblem("note", endorsement.note, maxShortText) ?? referencesProblem(supersedes)
        case let .addProgress(entry, _):
            return progressProblem(entry)
        case let .setArchived(_, supersedes):
            return referencesProblem(supersedes)
        case let .setAnnotation(annotation, supersedes):
            return labelProblem(annotation.label) ?? lengthProblem("note", annotation.note, maxShortText)
                ?? referencesProblem(supersedes)
        }
    }

    private static func textProblem(_ field: TextField, _ value: String) -> String? {
        switch field {
        case .title:
            if value.allSatisfy(\.isWhitespace) { return "the title must not be empty" }
            return lengthProblem("title", value, maxTitle)
        case .summary, .contact, .funding:
            return lengthProblem(field.description, value, maxShortText)
        case .description:
            return lengthProblem("description", value, maxLongText)
        }
    }

    private static func phaseProblem(_ value: PhaseValue) -> String? {
        switch (value.phase, value.lessonsLearned) {
        case (.stopped, nil):
            return "stopping an initiative needs a lessons-learned text"
        case let (.stopped, lessons?):
            if lessons.allSatisfy(\.isWhitespace) { return "stopping an initiative needs a lessons-learned text" }
            return lengthProblem("lessons learned", lessons, maxLongText)
        case (_, nil):
            return nil
        case (_, .some):
            return "lessons learned belong to the stopped phase only"
        }
    }

    private static func themeProblem(_ theme: String) -> String? {
        isName(theme) ? nil : "theme '\(theme)' must be 1 to \(maxThemeLength) lowercase letters, digits or '-'"
    }

    private static func labelProblem(_ label: String) -> String? {
        label.isEmpty || isName(label)
            ? nil : "label '\(label)' must be 1 to \(maxThemeLength) lowercase letters, digits or '-'"
    }

    /// Whether `name` is a theme or label: 1 to ``maxThemeLength`` lowercase
    /// ASCII letters, digits or '-'.
    private static func isName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes.count <= maxThemeLength && bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        }
    }

    private static func linkProblem(_ link: String) -> String? {
        if link.allSatisfy(\.isWhitespace) { return "a link must not be empty" }
        return lengthProblem("link", link, maxShortText)
    }

    private static func progressProblem(_ entry: ProgressEntry) -> String? {
        if !isDate(entry.date) { return "progress date '\(entry.date)' must be a date like 2026-11-29" }
        if entry.text.allSatisfy(\.isWhitespace) { return "a progress entry needs a text" }
        if let problem = lengthProblem("progress text", entry.text, maxLongText) { return problem }
        if entry.metrics.count > maxMetrics { return "a progress entry has at most \(maxMetrics) metrics" }
        for (name, value) in entry.metrics {
            if name.isEmpty || name.utf8.count > maxNameLength { return "metric names have 1 to \(maxNameLength) bytes" }
            if !value.isFinite { return "metric '\(name)' must be a finite number" }
        }
        return nil
    }

    private static func referencesProblem(_ references: [OpID]) -> String? {
        references.count > maxReferences ? "an op names at most \(maxReferences) other ops" : nil
    }

    private static func lengthProblem(_ name: String, _ value: String, _ limit: Int) -> String? {
        value.utf8.count > limit ? "\(name) is longer than \(limit) bytes" : nil
    }

    private static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        let digits = bytes.enumerated().filter { $0.offset != 4 && $0.offset != 7 }.map(\.element)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
        let month = Int(bytes[5] - 48) * 10 + Int(bytes[6] - 48)
        let day = Int(bytes[8] - 48) * 10 + Int(bytes[9] - 48)
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
