import Foundation
import KiemProtocol
import KiemWire
import Testing

/// WIRE.md section 7 lists every status code with its number, its name and
/// when kiemd returns it, naming the test that provokes it: the numbers and
/// names are the code's, and every test named is one of the suite's.
@Suite("WIRE.md status code table")
struct StatusCodeTableTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The rows of section 7's table: code, name, and the "returns it when" cell.
    static func rows() throws -> [(code: UInt16, name: String, when: String)] {
        let text = try String(contentsOf: root.appendingPathComponent("Protocols/WIRE.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## 7. Status codes").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        return section.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 6, let code = UInt16(cells[1]) else { return nil }
            return (code, cells[2], cells[4])
        }
    }

    /// The names of the test suites: every `struct X` in a file under Tests/.
    static func testTypes() throws -> Set<String> {
        var names: Set<String> = []
        let files = FileManager.default.enumerator(atPath: root.appendingPathComponent("Tests").path)
        while let file = files?.nextObject() as? String {
            guard file.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: root.appendingPathComponent("Tests").appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("struct ") {
                names.insert(String(line.dropFirst(7).prefix { $0.isLetter || $0.isNumber }))
            }
        }
        return names
    }

    @Test("every status code is in the table once, with its number and name")
    func codesAndNames() throws {
        let rows = try Self.rows()
        #expect(rows.map(\.code) == Array(0...16))
        for row in rows {
            let code = try #require(StatusCode(rawValue: row.code), "code \(row.code)")
            #expect(code.description == row.name, "code \(row.code)")
        }
    }

    @Test("every code kiemd returns names a test that provokes it, and each test named exists")
    func testsNamed() throws {
        let types = try Self.testTypes()
        for row in try Self.rows() where !row.when.hasPrefix("never") {
            let named = row.when.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                .filter { $0.hasSuffix("Tests") }
            #expect(!named.isEmpty, "\(row.name) names no test")
            for test in named { #expect(types.contains(test), "\(row.name) names \(test), which is not a test suite") }
        }
    }
}
