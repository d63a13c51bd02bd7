import CSQLite
import Foundation
import KiemConfiguration
import KiemTransport
import X509

/// The checks of `kiemctl doctor`, each a function from what it inspects to
/// a finding, so that tests can feed them any state.
enum DoctorChecks {
    /// A certificate that expires within this many days is a warning.
    static let expiryWarningDays = 30.0
    /// Free space below either figure is a warning; below a tenth of it, a failure.
    static let lowDiskBytes: UInt64 = 1 << 30
    static let lowDiskFraction = 0.10

    /// Reads the configuration file.
    static func configuration(file: String) -> (NodeConfiguration?, DoctorFinding) {
        do {
            let configuration = try NodeConfiguration.load(file: file)
            return (configuration, .ok("configuration", "\(file): \(configuration.node) of \(configuration.organisation)"))
        } catch {
            return (nil, .fail("configuration", "\(error)", fix: "correct it; kiemd --check-config --config \(file) says the same"))
        }
    }

    /// The private key must be readable by its owner only.
    static func keyPermissions(path: String) -> DoctorFinding {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber else {
            return .fail("key", "\(path) cannot be read", fix: "install the node key there (deploy/PKI.md)")
        }
        let bits = mode.uint16Value & 0o777
        guard bits & 0o077 == 0 else {
            return .fail("key", "\(path) has mode \(String(bits, radix: 8)): others may read the node's private key",
                         fix: "chmod 600 \(path)")
        }
        return .ok("key", "\(path) has mode \(String(bits, radix: 8))")
    }

    /// The first certificate in a PEM file: valid now, and not about to expire.
    static func certificate(_ name: String, path: String, now: Date = Date()) -> DoctorFinding {
        let certificate: Certificate
        do {
            certificate = try PEMFiles.certificates(at: path)[0]  // never empty: it throws instead
        } catch {
            return .fail(name, "\(error)", fix: "install it again (deploy/PKI.md)")
        }
        let expiry = certificate.notValidAfter.formatted(.iso8601.year().month().day())
        if certificate.notValidBefore > now {
            return .fail(name, "\(path) is not valid before \(certificate.notValidBefore.formatted(.iso8601))",
                         fix: "check this machine's clock, or issue a certificate that is valid now")
        }
        if certificate.notValidAfter <= now {
            return .fail(name, "\(path) expired on \(expiry); peers refuse it",
                         fix: "issue a new one (kiemctl pki issue, deploy/PKI.md section 6) and restart kiemd")
        }
        let days = certificate.notValidAfter.timeIntervalSince(now) / 86_400
        if days < expiryWarningDays {
            return .warn(name, "\(path) expires on \(expiry), in \(Int(days)) days",
                         fix: "renew it before then (deploy/PKI.md section 6)")
        }
        return .ok(name, "\(path) valid until \(expiry)")
    }

    /// Free space on the data folder's file system.
    static func diskSpace(path: String, free: UInt64, total: UInt64) -> DoctorFinding {
        let detail = "\(path): \(free >> 20) MiB free of \(total >> 20) MiB"
        let fraction = total == 0 ? 0 : Double(free) / Double(total)
        if free < lowDiskBytes / 10 || fraction < lowDiskFraction / 10 {
            return .fail("disk", detail, fix: "free space now: kiemd stops writing when the disk is full")
        }
        if free < lowDiskBytes || fraction < lowDiskFraction {
            return .warn("disk", detail, fix: "free space or grow the file system")
        }
        return .ok("disk", detail)
    }

    /// `diskSpace` for the file system that holds `path`.
    static func diskSpace(path: String) -> DoctorFinding {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else {
            return .fail("disk", "\(path) cannot be examined (\(String(cString: strerror(errno))))",
                         fix: "check that the data folder exists and kiemctl runs as kiemd's user")
        }
        let block = UInt64(stats.f_frsize)
        return diskSpace(path: path, free: UInt64(stats.f_bavail) * block, total: UInt64(stats.f_blocks) * block)
    }

    /// SQLite's `PRAGMA quick_check` on the replica, opened read-only.
    static func database(path: String) -> DoctorFinding {
        guard FileManager.default.fileExists(atPath: path) else {
            return .warn("database", "\(path) does not exist yet", fix: "start kiemd: it creates the replica")
        }
        var connection: OpaquePointer?
        defer { sqlite3_close(connection) }
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        var rows: [String] = []
        if sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
           sqlite3_prepare_v2(connection, "PRAGMA quick_check", -1, &statement, nil) == SQLITE_OK {
            var step = sqlite3_step(statement)
            while step == SQLITE_ROW {
                rows.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
                step = sqlite3_step(statement)
            }
            if step != SQLITE_DONE { rows.append(String(cString: sqlite3_errmsg(connection))) }
        } else {
            rows.append(connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot be opened")
        }
        guard rows == ["ok"] else {
            return .fail("database", "\(path) fails PRAGMA quick_check: \(rows.prefix(3).joined(separator: "; "))",
                         fix: "stop kiemd, keep a copy of the file, and restore the replica from a backup before starting it again")
        }
        return .ok("database", "\(path) passes PRAGMA quick_check")
    }

    /// The node's own view of itself, from the control socket: it answers,
    /// and no origin was caught equivocating.
    static func node(socket: String, status: Result<StatusReport, any Error>) -> [DoctorFinding] {
        let report: StatusReport
        switch status {
        case .success(let answer): report = answer
        case .failure(let error):
            return [.fail("control socket", "no answer at \(socket) (\(error))",
                          fix: "start kiemd (systemctl start kiemd) and run kiemctl as its user")]
        }
        var findings: [DoctorFinding] = [.ok("control socket", "\(socket): \(report.node) answers")]
        if !report.equivocations.isEmpty {
            findings.append(.fail("equivocation", "\(report.equivocations.count) origin(s) signed two ops with one seq",
                                  fix: "see kiemctl status; tell the origin's operators and the regie"))
        }
        return findings
    }
}
