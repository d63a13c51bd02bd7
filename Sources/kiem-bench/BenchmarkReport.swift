import Foundation

/// A scenario's figures, printed as aligned lines and optionally as one JSON
/// object on the last line.
struct BenchmarkReport {
    enum Figure {
        case int(Int)
        case double(Double)
        case text(String)

        var json: String {
            switch self {
            case let .int(value): String(value)
            case let .double(value): String(format: "%.4f", value)
            case let .text(value): "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\""
            }
        }

        var human: String {
            switch self {
            case let .int(value): String(value)
            case let .double(value): String(format: "%.3f", value)
            case let .text(value): value
            }
        }
    }

    let scenario: String
    let figures: [(String, Figure)]

    func print(json: Bool) {
        let width = figures.map(\.0.count).max() ?? 0
        Swift.print("\(scenario):")
        for (name, figure) in figures {
            Swift.print("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + figure.human)
        }
        if json {
            let fields = [("scenario", Figure.text(scenario))] + figures
            Swift.print("{" + fields.map { "\"\($0.0)\": \($0.1.json)" }.joined(separator: ", ") + "}")
        }
    }
}
