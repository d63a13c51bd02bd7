@testable import kiemctl
import Testing

@Suite("Table")
struct TableTests {
    @Test("columns are as wide as their widest cell, two spaces apart; right-aligned columns pad on the left")
    func alignment() {
        let table = Table(["NODE", Table.Column("LAG", alignment: .right), "STATE"], rows: [
            ["svb-1", "0", "connected"],
            ["rijkswaterstaat-1", "12345", "backoff"],
        ])
        #expect(table.rendered == """
            NODE                 LAG  STATE
            svb-1                  0  connected
            rijkswaterstaat-1  12345  backoff
            """)
    }

    @Test("no line ends in spaces, also when the last cells are empty or short")
    func noTrailingSpaces() {
        let table = Table(["A", "B"], rows: [["x", ""], ["longer", "y"]])
        #expect(table.rendered == "A       B\nx\nlonger  y")
        #expect(!table.rendered.split(separator: "\n").contains { $0.hasSuffix(" ") })
    }

    @Test("fields: labels and values without a header; a multi-line value continues under its column")
    func fieldsAndMultiLineCells() {
        let table = Table.fields([("id", "01JD"), ("links", "https://a.example\nhttps://b.example"), ("themes", "ai")])
        #expect(table.rendered == """
            id      01JD
            links   https://a.example
                    https://b.example
            themes  ai
            """)
    }

    @Test("a row with fewer cells than columns is padded; a table without rows is its header")
    func shortRowsAndEmpty() {
        #expect(Table(["A", "B", "C"], rows: [["1"]]).rendered == "A  B  C\n1")
        #expect(Table(["NODE", "STATE"]).rendered == "NODE  STATE")
    }
}
