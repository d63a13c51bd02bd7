/// One field of RFC 4180 CSV, as the overview exports (`kiemctl overview
/// --csv`, the dashboard's `/export/initiatives.csv`) write them: quoted, with
/// quotes doubled, when it holds a comma, a quote or a line break. A field that
/// a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return) gets a leading `'`, so that a title written by
/// another organisation cannot run anything on the reader's machine; numbers
/// such as `-3` are left as they are.
public enum CSVField {
    /// `value` as one CSV field.
    public static func encode(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@\t\r".contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        var quoted = "\""
        for character in value {
            quoted.append(character)
            if character == "\"" { quoted.append("\"") }
        }
        return quoted + "\""
    }
}
