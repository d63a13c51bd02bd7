import ArgumentParser
import Foundation
import KiemProtocol
import SwiftProtobuf

/// `--metric name=value[unit]` of `initiative progress`: "users=1200",
/// "savings=3.5MEUR", "wait=-2 days".
enum MetricArgument {
    /// Parses `name=value[unit]`: the value is the longest decimal number
    /// after the `=`, the unit whatever follows it.
    static func parse(_ text: String) throws -> Kiem_V1_Metric {
        let parts = text.split(separator: "=", maxSplits: 1)
        let name = parts.first?.trimmingCharacters(in: .whitespaces) ?? ""
        guard parts.count == 2, !name.isEmpty else {
            throw ValidationError("expected name=value[unit], e.g. users=1200 or savings=3.5MEUR")
        }
        let rest = parts[1].trimmingCharacters(in: .whitespaces)
        let number = rest.prefix { "+-.0123456789eE".contains($0) }
        if rest.first.map({ "+-.0123456789".contains($0) }) == true {
            for length in stride(from: number.count, to: 0, by: -1) {
                guard let value = Double(number.prefix(length)), value.isFinite else { continue }
                return Kiem_V1_Metric.with {
                    $0.name = name
                    $0.value = value
                    $0.unit = rest.dropFirst(length).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        throw ValidationError("\"\(rest)\" does not start with a number (expected name=value[unit])")
    }

    /// "users=1200", "savings=3.5 MEUR".
    static func describe(_ metric: InitiativeDetail.Metric) -> String {
        let isWhole = metric.value.rounded() == metric.value && abs(metric.value) < 1e15
        let value = isWhole ? String(Int64(metric.value)) : String(metric.value)
        return "\(metric.name)=\(value)" + (metric.unit.isEmpty ? "" : " \(metric.unit)")
    }
}
