/// Strings as JSON string literals, for the daemon's JSON log lines and the
/// TOML files the configuration writes.
package enum JSONString {
    /// `text` as a JSON string: quotes, backslashes and control characters
    /// (DEL too) escaped. It is a TOML basic string as well, which
    /// KiemConfiguration's `NodeConfiguration.toml` relies on.
    package static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
