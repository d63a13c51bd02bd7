/// HTML or SVG that is safe to send: what this code writes literally is kept,
/// every `String` interpolated into it is escaped.
///
/// ```swift
/// let title = "<script>"
/// let cell: Markup = "<td>\(title)</td>"   // <td>&lt;script&gt;</td>
/// let row: Markup = "<tr>\(cell)</tr>"      // markup is not escaped twice
/// ```
///
/// There is deliberately no interpolation of arbitrary values: an id or a
/// number is turned into a `String` (and so escaped) or formatted by one of
/// the overloads below, never written raw by accident.
struct Markup: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup text.
    private(set) var text: String

    init(stringLiteral literal: String) {
        text = literal
    }

    init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
    }

    /// Markup of many parts, one after the other.
    init(joining parts: some Sequence<Markup>) {
        text = parts.map(\.text).joined()
    }

    var description: String { text }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character
    /// references: safe in element content and in quoted attribute values,
    /// in HTML and in SVG.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var text = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Text, escaped.
        mutating func appendInterpolation(_ value: String) {
            text += Markup.escape(value)
        }

        /// Markup, as it is.
        mutating func appendInterpolation(_ markup: Markup) {
            text += markup.text
        }

        /// Markup of many parts, as they are.
        mutating func appendInterpolation(_ parts: [Markup]) {
            for part in parts { text += part.text }
        }

        /// A whole number.
        mutating func appendInterpolation(_ number: Int) {
            text += String(number)
        }

        /// A coordinate or length, with at most one decimal (`12`, `12.5`).
        mutating func appendInterpolation(_ number: Double) {
            text += Markup.coordinate(number)
        }
    }

    /// `number` rounded to one decimal, without a trailing `.0`.
    static func coordinate(_ number: Double) -> String {
        let tenths = (number * 10).rounded()
        guard tenths.isFinite else { return "0" }
        let whole = Int(tenths) / 10
        let fraction = abs(Int(tenths) % 10)
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
