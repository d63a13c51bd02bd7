#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Figures about this process from /proc.
enum ProcessStatistics {
    /// Peak resident set size in bytes (VmHWM), or 0 where /proc is missing.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}

extension ProcessStatistics {
    /// CPU seconds (user + system) this process has used, which shared-machine
    /// noise disturbs less than wall time.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }
}

extension ProcessStatistics {
    /// Bytes this process has passed to write system calls (`wchar` of
    /// /proc/self/io: the WAL frames and checkpoints of a store), or 0 where
    /// /proc is missing.
    static func writtenBytes() -> Int {
        guard let io = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8),
              let line = io.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") })
        else { return 0 }
        return line.split(separator: " ").compactMap { Int($0) }.first ?? 0
    }
}

extension ProcessStatistics {
    /// A field of /proc/<pid>/status in bytes (e.g. `VmHWM`, `VmRSS`).
    static func statusBytes(pid: Int32, field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return 0 }
        return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
    }

    /// CPU seconds (user + system) another process has used, from /proc/<pid>/stat.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3; utime and stime are 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Bytes received on the loopback interface so far (on `lo` every byte
    /// sent is also received), from /proc/net/dev.
    static func loopbackBytes() -> Int {
        guard let dev = try? String(contentsOfFile: "/proc/net/dev", encoding: .utf8),
              let line = dev.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("lo:") })
        else { return 0 }
        let fields = line.split(separator: ":")[1].split(separator: " ")
        return Int(fields.first ?? "") ?? 0
    }
}
