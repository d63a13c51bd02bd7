import Foundation
@testable import KiemNode
import Logging
import Synchronization
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// The lines a handler wrote.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    static let instant = Date(timeIntervalSince1970: 1_796_644_980.125)  // 2026-12-07T12:03:00.125Z

    func logger(_ lines: Lines, provider: Logger.MetadataProvider? = nil) -> Logger {
        Logger(label: "kiemd") { label in
            var handler = JSONLogHandler(label: label, metadataProvider: provider, now: { Self.instant }, write: lines.append)
            handler.logLevel = .debug
            return handler
        }
    }

    @Test("one object a line: timestamp, level, label, message, metadata, in that order")
    func line() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger[metadataKey: "kiem.node"] = "uwv-1"
        logger.info("peer connected", metadata: ["kiem.peer": "svb-1", "kiem.ops": .stringConvertible(42)])
        logger.trace("below the level")
        #expect(lines.all == [
            #"{"timestamp":"2026-12-07T12:03:00.125Z","level":"info","label":"kiemd","message":"peer connected","#
                + #""metadata":{"kiem.node":"uwv-1","kiem.ops":"42","kiem.peer":"svb-1"}}"# + "\n",
        ])
    }

    @Test("quotes, backslashes, newlines and control characters are escaped; nested metadata stays JSON")
    func escaping() throws {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["kiem.task": "sync"] }
        logger(lines, provider: provider).error(
            "cannot open \"/var/lib/kiem\\kiem.sqlite\"\nline two\t\u{1}é",
            metadata: ["kiem.peers": ["svb-1", "rws-1"], "kiem.batch": ["ops": "3", "bytes": "120"]])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "error")
        #expect(object["message"] as? String == "cannot open \"/var/lib/kiem\\kiem.sqlite\"\nline two\t\u{1}é")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["kiem.task"] as? String == "sync")
        #expect(metadata["kiem.peers"] as? [String] == ["svb-1", "rws-1"])
        #expect(metadata["kiem.batch"] as? [String: String] == ["ops": "3", "bytes": "120"])
    }

    @Test("the call's metadata wins over the provider's, which wins over the handler's")
    func precedence() throws {
        let lines = Lines()
        var logger = logger(lines, provider: Logger.MetadataProvider { ["kiem.peer": "provider", "kiem.task": "sync"] })
        logger[metadataKey: "kiem.peer"] = "handler"
        logger[metadataKey: "kiem.node"] = "uwv-1"
        logger.notice("x", metadata: ["kiem.task": "call"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(object["metadata"] as? [String: String] == ["kiem.peer": "provider", "kiem.task": "call", "kiem.node": "uwv-1"])
    }
}
