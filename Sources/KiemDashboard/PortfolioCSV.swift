import Foundation
import KiemCore

/// `/export/initiatives.csv`: one row per initiative the overview covers, in
/// id order (oldest first), as RFC 4180 CSV: comma-separated, CRLF line
/// ends, a header row, fields as ``KiemCore/CSVField`` writes them. Lists
/// are `;`-separated; an annotation is `organisation:label:priority`.
struct PortfolioCSV: Sendable {
    static let header = ["id", "title", "owner", "phase", "themes", "adopters", "last_movement", "stalled_days", "annotations"]

    /// The CSV text.
    let text: String

    /// - Parameters:
    ///   - entries: the covered initiatives.
    ///   - overview: their overview, for the stalled days.
    init(entries: [PortfolioEntry], overview: Overview) {
        let stalled = Dictionary(overview.stalled.map { ($0.entry.id, $0.daysSinceMovement) }) { first, _ in first }
        let rows = entries.sorted { $0.id < $1.id }.map { entry in
            [
                entry.id.description, entry.title, entry.owner.rawValue, entry.phase.description,
                entry.themes.joined(separator: ";"),
                entry.adoptions.filter { $0.value.isActive && $0.key != entry.owner }.sorted { $0.key < $1.key }
                    .map { "\($0.key.rawValue):\($0.value)" }.joined(separator: ";"),
                DisplayTime.day(DisplayTime.date(entry.lastMovement)),
                stalled[entry.id].map(String.init) ?? "",
                entry.annotations.sorted { $0.key < $1.key }
                    .map { "\($0.key.rawValue):\($0.value.label):\($0.value.priority)" }.joined(separator: ";"),
            ]
        }
        text = ([Self.header] + rows).map { $0.map(CSVField.encode).joined(separator: ",") + "\r\n" }.joined()
    }
}
