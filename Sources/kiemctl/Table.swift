/// Text in aligned columns, the way every kiemctl listing prints:
///
/// ```
/// NODE   ORGANISATION  STATE      LAG
/// svb-1  svb           connected    0
/// ```
///
/// Columns are separated by two spaces; the last column is not padded, and no
/// line ends in spaces. A cell may hold several lines: the row then takes as
/// many lines, the other columns blank below their first line.
struct Table: Sendable {
    /// Where text sits within its column.
    enum Alignment: Sendable {
        case left, right
    }

    /// A column's heading and alignment.
    struct Column: Sendable, ExpressibleByStringLiteral {
        var title: String
        var alignment: Alignment

        init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }

        init(stringLiteral title: String) {
            self.init(title)
        }
    }

    var columns: [Column]
    var rows: [[String]] = []
    /// Whether the first line holds the column titles.
    var showsHeader = true

    init(_ columns: [Column], rows: [[String]] = [], showsHeader: Bool = true) {
        self.columns = columns
        self.rows = rows
        self.showsHeader = showsHeader
    }

    /// A two-column table of labels and values without a header, as `status`
    /// and `initiative show` print a record.
    static func fields(_ fields: [(label: String, value: String)]) -> Table {
        Table(["", ""], rows: fields.map { [$0.label, $0.value] }, showsHeader: false)
    }

    /// The table as text, lines separated by newlines, without a trailing one.
    var rendered: String {
        let allRows = (showsHeader ? [columns.map(\.title)] : []) + rows
        let split = allRows.map { row in columns.indices.map { index in Self.lines(index < row.count ? row[index] : "") } }
        let widths = columns.indices.map { index in
            split.map { row in row[index].map(\.count).max() ?? 0 }.max() ?? 0
        }
        var output: [String] = []
        for row in split {
            let height = row.map(\.count).max() ?? 1
            for line in 0..<height {
                let cells = columns.indices.map { index in
                    pad(line < row[index].count ? row[index][line] : "", to: widths[index], columns[index].alignment,
                        isLast: index == columns.count - 1)
                }
                output.append(String(cells.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed()))
            }
        }
        return output.joined(separator: "\n")
    }

    private static func lines(_ cell: String) -> [String] {
        cell.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private func pad(_ text: String, to width: Int, _ alignment: Alignment, isLast: Bool) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        switch alignment {
        case .left: return isLast ? text : text + padding
        case .right: return padding + text
        }
    }
}
