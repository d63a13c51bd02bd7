import Foundation

/// One line of `kiemctl doctor`: what was checked, how it stands, and what
/// to do about it.
struct DoctorFinding: Encodable, Equatable, Sendable {
    enum Status: String, Encodable, Sendable {
        case ok, warn, fail
    }

    /// The check, e.g. "certificate", "peer svb-1".
    var check: String
    var status: Status
    /// What was found, in words.
    var detail: String
    /// What to do; nil when nothing needs doing.
    var fix: String?

    static func ok(_ check: String, _ detail: String) -> DoctorFinding {
        DoctorFinding(check: check, status: .ok, detail: detail, fix: nil)
    }

    static func warn(_ check: String, _ detail: String, fix: String) -> DoctorFinding {
        DoctorFinding(check: check, status: .warn, detail: detail, fix: fix)
    }

    static func fail(_ check: String, _ detail: String, fix: String) -> DoctorFinding {
        DoctorFinding(check: check, status: .fail, detail: detail, fix: fix)
    }
}

/// What `kiemctl doctor` prints: one line per check; `healthy` is false when
/// any check failed (exit status 1).
struct DoctorReport: CommandOutput, Equatable {
    var healthy: Bool
    var checks: [DoctorFinding]

    init(_ checks: [DoctorFinding]) {
        self.checks = checks
        healthy = !checks.contains { $0.status == .fail }
    }

    var text: String {
        let width = checks.map(\.check.count).max() ?? 0
        return checks.map { finding in
            let status = finding.status.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)
            let line = "\(status)  \(finding.check.padding(toLength: width, withPad: " ", startingAt: 0))  \(finding.detail)"
            return finding.fix.map { line + "\n      \(String(repeating: " ", count: width))  → \($0)" } ?? line
        }.joined(separator: "\n")
    }
}
