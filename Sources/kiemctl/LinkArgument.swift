import ArgumentParser
import KiemProtocol
import SwiftProtobuf

/// `--link "URL [TITLE]"` of `initiative create` and `edit`: a URL, then
/// optionally a space and a title ("https://example.nl/rapport Evaluatie").
enum LinkArgument {
    static func parse(_ text: String) throws -> Kiem_V1_Link {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard let url = parts.first, url.contains(":") else {
            throw ValidationError("expected a URL, optionally followed by a space and a title")
        }
        return Kiem_V1_Link.with {
            $0.url = String(url)
            $0.title = parts.count == 2 ? String(parts[1]) : ""
        }
    }
}
