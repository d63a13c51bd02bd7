import Foundation
import KiemCore
import KiemProtocol
import KiemTransport
import KiemWire

// Control API requests read into KiemCore's values. What cannot be read is
// refused with INVALID_ARGUMENT before anything is written.

extension Kiem_V1_Phase {
    /// The phase, or nil for PHASE_UNSPECIFIED.
    var phase: Phase? {
        switch self {
        case .idea: .idea
        case .experiment: .experiment
        case .pilot: .pilot
        case .proven: .proven
        case .scaling: .scaling
        case .stopped: .stopped
        case .unspecified, .UNRECOGNIZED: nil
        }
    }
}

extension Kiem_V1_AdoptionStatus {
    var status: AdoptionStatus? {
        switch self {
        case .exploring: .exploring
        case .piloting: .piloting
        case .adopted: .adopted
        case .dropped: .dropped
        case .unspecified, .UNRECOGNIZED: nil
        }
    }
}

enum ControlRequests {
    static func invalid(_ message: String) -> RPCError {
        RPCError(code: .invalidArgument, message: message)
    }

    static func initiativeID(_ text: String, field: String = "id") throws -> InitiativeID {
        guard !text.isEmpty else { throw invalid("\(field) is required") }
        do {
            return try InitiativeID(text)
        } catch {
            throw invalid("\(field) '\(text)' is not an initiative id: \(error)")
        }
    }

    static func draft(_ request: Kiem_V1_CreateInitiativeRequest) throws -> InitiativeDraft {
        let phase = request.phase.phase ?? .idea
        guard phase != .stopped else {
            throw invalid("an initiative cannot start stopped: create it, then set phase stopped with lessons learned")
        }
        return InitiativeDraft(
            title: request.title, summary: request.summary, description: request.description_p,
            phase: PhaseValue(phase), contact: request.contact, funding: request.funding,
            themes: request.themes, links: request.links.map(\.url),
            derivedFrom: request.derivedFrom.isEmpty ? nil : try initiativeID(request.derivedFrom, field: "derived_from"))
    }

    /// One change per field set, in field order.
    static func changes(_ request: Kiem_V1_EditInitiativeRequest) throws -> [LocalChange] {
        var changes: [LocalChange] = []
        if request.hasTitle { changes.append(.setText(.title, request.title)) }
        if request.hasSummary { changes.append(.setText(.summary, request.summary)) }
        if request.hasDescription_p { changes.append(.setText(.description, request.description_p)) }
        if request.hasContact { changes.append(.setText(.contact, request.contact)) }
        if request.hasFunding { changes.append(.setText(.funding, request.funding)) }
        changes += request.addThemes.map { .addElement(.themes, $0) }
        changes += request.removeThemes.map { .removeElement(.themes, $0) }
        changes += request.addLinks.map { .addElement(.links, $0.url) }
        changes += request.removeLinkUrls.map { .removeElement(.links, $0) }
        guard !changes.isEmpty else { throw invalid("nothing to change: set at least one field") }
        return changes
    }

    static func phase(_ request: Kiem_V1_SetPhaseRequest) throws -> LocalChange {
        guard let phase = request.phase.phase else { throw invalid("phase is required") }
        let lessons = request.lessonsLearned.isEmpty ? nil : request.lessonsLearned
        return .setPhase(PhaseValue(phase, lessonsLearned: lessons))
    }

    static func progress(_ request: Kiem_V1_LogProgressRequest, today: Date) throws -> LocalChange {
        var metrics: [String: Double] = [:]
        for metric in request.metrics {
            guard !metric.name.isEmpty else { throw invalid("a metric needs a name") }
            // The unit travels in the name, e.g. "doorlooptijd (dagen)".
            metrics[metric.unit.isEmpty ? metric.name : "\(metric.name) (\(metric.unit))"] = metric.value
        }
        let date = request.date.isEmpty ? Self.calendarDay(today) : request.date
        guard Self.isCalendarDay(date) else { throw invalid("date '\(request.date)' is not a YYYY-MM-DD date") }
        return .addProgress(ProgressEntry(date: date, text: request.text, metrics: metrics))
    }

    static func adoption(_ request: Kiem_V1_AdoptRequest) throws -> LocalChange {
        guard let status = request.status.status else {
            throw invalid("status is required: exploring, piloting, adopted or dropped")
        }
        return .setAdoption(Adoption(status: status, note: request.note))
    }

    static func annotation(_ request: Kiem_V1_AnnotateRequest) throws -> LocalChange {
        let priority = request.priority == .unspecified
            ? .normal : Annotation.Priority(rawValue: UInt8(clamping: request.priority.rawValue))
        guard let priority else { throw invalid("unknown priority \(request.priority.rawValue): low, normal or high") }
        return .setAnnotation(Annotation(label: request.label, priority: priority, note: request.note))
    }

    /// The most items per list of an overview: `list_limit`, 100 if unset.
    static func listLimit(_ request: Kiem_V1_OverviewRequest) throws -> Int {
        guard request.listLimit <= 1_000 else {
            throw invalid("list_limit \(request.listLimit) is more than 1000 (the export of the dashboard has every initiative)")
        }
        return request.listLimit == 0 ? 100 : Int(request.listLimit)
    }

    static func filter(_ request: Kiem_V1_OverviewRequest) throws -> OverviewFilter {
        let owners: [OrganisationID]
        do {
            owners = try request.owners.map { try OrganisationID($0) }
        } catch {
            throw invalid("owner: \(error)")
        }
        var since: UInt64?
        if !request.since.isEmpty {
            guard let millis = startOfDayMillis(request.since) else {
                throw invalid("since '\(request.since)' is not a YYYY-MM-DD date")
            }
            since = millis
        }
        return OverviewFilter(themes: Set(request.themes), owners: Set(owners), since: since, labels: Set(request.labels))
    }

    /// Midnight UTC of the day `text` (`YYYY-MM-DD`), in Unix milliseconds.
    static func startOfDayMillis(_ text: String) -> UInt64? {
        guard isCalendarDay(text) else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              date.timeIntervalSince1970 >= 0 else { return nil }
        return UInt64(date.timeIntervalSince1970 * 1000)
    }

    /// The UTC calendar day of `date`, `YYYY-MM-DD`.
    static func calendarDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    static func isCalendarDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components) else { return false }
        return calendar.dateComponents([.year, .month, .day], from: date) == components
    }
}

extension WriteError {
    /// The Control API status for a write that was not made.
    var rpcError: RPCError {
        switch self {
        case let .refused(rejection) where rejection.rule == .invalidValue:
            RPCError(code: .invalidArgument, message: rejection.message)
        case let .refused(rejection): RPCError(code: .permissionDenied, message: rejection.message)
        case .notFound: RPCError(code: .notFound, message: description)
        case .roleForbids: RPCError(code: .permissionDenied, message: description)
        case .invalid: RPCError(code: .invalidArgument, message: description)
        case .signing, .store, .inconsistentStore: RPCError(code: .internalError, message: description)
        case .ownLogBehind: RPCError(code: .failedPrecondition, message: description)
        }
    }
}
