import Foundation
import KiemCore
import KiemStore

/// `/search?q=…`: full-text search over titles, summaries and descriptions
/// (the store's index: words match as prefixes, all must occur), best match
/// first; archived initiatives are left out.
struct SearchPage {
    /// The text searched for; empty shows only the form.
    let text: String
    let results: [InitiativeSummary]
    /// The most results listed.
    static let limit = 100
    let node: String

    var html: Markup {
        let searched = text.trimmingCharacters(in: .whitespaces)
        let body: Markup = searched.isEmpty
            ? "<p class=\"empty\">Type words from a title, summary or description in the search box above.</p>"
            : """
            <p>\(results.count == Self.limit ? "The first \(Self.limit)" : "\(results.count)") \
            \(results.count == 1 ? "initiative matches" : "initiatives match") “\(searched)”.</p>
            \(PageLayout.table(["Initiative", "Owner", "Phase", "Themes", "Summary"], rows: results.map { summary in
                [
                    PageLayout.initiativeLink(id: summary.id.description, title: summary.title), "\(summary.owner.rawValue)",
                    PageLayout.phaseBadge(summary.phase.description), "\(summary.themes.joined(separator: ", "))",
                    "\(summary.summary)",
                ]
            }, empty: "Try fewer or shorter words."))
            """
        return PageLayout.page(title: searched.isEmpty ? "Search" : "Search: \(searched)", node: node, search: text, """
            <p><a href="/">← Portfolio overview</a></p>
            <h1>Search</h1>
            \(body)
            """)
    }
}
