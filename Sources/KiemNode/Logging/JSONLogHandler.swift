public import Foundation
import KiemCore
public import Logging

/// A log handler that writes one JSON object a line, for journald and log
/// shippers (`log_format = "json"` in kiemd.toml):
///
/// ```json
/// {"timestamp":"2026-12-07T14:03:00.123Z","level":"info","label":"kiemd","message":"peer connected","metadata":{"kiem.peer":"svb-1"}}
/// ```
///
/// The keys come in that order on every line; `metadata` is the handler's,
/// then the metadata provider's, then the call's (later ones win), with
/// nested dictionaries and arrays as JSON objects and arrays and every other
/// value as a string. Timestamps are UTC with milliseconds.
public struct JSONLogHandler: LogHandler {
    /// The least severe level written.
    public var logLevel: Logger.Level = .info
    /// Metadata written on every line of this handler's logger.
    public var metadata: Logger.Metadata = [:]
    /// Metadata gathered for each line (task-local values, say).
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let now: @Sendable () -> Date
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error, one `write` per line.
    public static func standardError(label: String, metadataProvider: Logger.MetadataProvider? = nil) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: metadataProvider) { line in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// A handler passing each line, newline included, to `write`.
    /// - Parameter now: the clock that stamps lines (tests pass a fixed one).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() }, write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    /// One key of ``metadata``.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        write(Self.line(
            timestamp: now(), level: event.level, label: label, message: event.message.description, metadata: merged))
    }

    /// One log line: a JSON object and a newline.
    static func line(timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        let time = timestamp.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let quoted = JSONString.quoted
        return "{\"timestamp\":\(quoted(time)),\"level\":\(quoted(level.rawValue)),\"label\":\(quoted(label))"
            + ",\"message\":\(quoted(message)),\"metadata\":\(json(.dictionary(metadata)))}\n"
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): JSONString.quoted(text)
        case .stringConvertible(let convertible): JSONString.quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.sorted { $0.key < $1.key }.map { JSONString.quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }
}
