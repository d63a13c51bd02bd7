/// Turns what a user typed into a safe FTS5 query.
///
/// Every run of letters and digits becomes a quoted prefix term (`"word"*`),
/// and the terms are joined by spaces (all must match). Quotes, parentheses,
/// `*`, `^`, `:` and the operators `AND`, `OR`, `NOT`, `NEAR` therefore can
/// never reach FTS5 as syntax.
enum SearchPattern {
    /// The FTS5 query, or nil if the text has no letters or digits.
    static func fts5Query(for text: String) -> String? {
        var terms: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                terms.append(current)
                current = ""
            }
        }
        if !current.isEmpty { terms.append(current) }
        guard !terms.isEmpty else { return nil }
        // Terms hold only letters and digits, so no quote can occur inside
        // one; doubling quotes still guards that invariant.
        return terms.map { term in
            "\"" + term.flatMap { $0 == "\"" ? "\"\"" : String($0) } + "\"*"
        }.joined(separator: " ")
    }
}
