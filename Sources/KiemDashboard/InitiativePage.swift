/// `/initiatives/{id}`: one initiative in full, from its
/// ``InitiativeDocument``: fields (with concurrent values), lineage,
/// adopters, endorsements, annotations, the progress log and the history.
struct InitiativePage {
    let document: InitiativeDocument
    let node: String

    var html: Markup {
        let title = document.title.value.isEmpty ? "(untitled)" : document.title.value
        return PageLayout.page(title: title, node: node, """
            <p><a href="/">← Portfolio overview</a></p>
            <h1>\(title)</h1>
            \(fields)
            <h2>Lineage</h2>\(lineage)
            <h2>Adopters</h2>\(adopters)
            <h2>Endorsements</h2>\(endorsements)
            <h2>Portfolio annotations</h2>\(annotations)
            <h2>Progress</h2>\(progress)
            <h2>History</h2>\(history)
            <p class="note">JSON: <a href="/api/initiatives/\(document.id)">/api/initiatives/\(document.id)</a></p>
            """)
    }

    private var fields: Markup {
        func text(_ label: String, _ field: InitiativeDocument.Text) -> Markup? {
            guard !field.value.isEmpty || !field.concurrent.isEmpty else { return nil }
            let others = field.concurrent.map { other -> Markup in
                "<br><span class=\"concurrent\">concurrently: \(other.value) (\(other.written.author), \(DisplayTime.minute(other.written.time)))</span>"
            }
            return "<dt>\(label)</dt><dd>\(field.value)\(others)</dd>"
        }
        let phase = document.phase
        let otherPhases = phase.concurrent.map { other -> Markup in
            "<br><span class=\"concurrent\">concurrently: \(other.phase) (\(other.written.author), \(DisplayTime.minute(other.written.time)))</span>"
        }
        let links = document.links.map { link -> Markup in
            let label = link.title.isEmpty ? link.url : link.title
            // Only web addresses become links: a `javascript:` URL would run when clicked.
            let web = ["http://", "https://"].contains { link.url.lowercased().hasPrefix($0) }
            return web ? "<a href=\"\(link.url)\" rel=\"noopener noreferrer\">\(label)</a>" : "\(label) (\(link.url))"
        }
        let rows: [Markup?] = [
            "<dt>Id</dt><dd><code>\(document.id)</code></dd>",
            "<dt>Owner</dt><dd>\(document.owner)</dd>",
            "<dt>Phase</dt><dd>\(PageLayout.phaseBadge(phase.phase))\(otherPhases)</dd>",
            phase.lessonsLearned.map { "<dt>Lessons learned</dt><dd>\($0)</dd>" },
            text("Summary", document.summary),
            text("Description", document.description),
            text("Contact", document.contact),
            text("Funding", document.funding),
            document.title.concurrent.isEmpty ? nil : text("Title", document.title),
            "<dt>Themes</dt><dd>\(document.themes.isEmpty ? "none" : document.themes.joined(separator: ", "))</dd>",
            links.isEmpty ? nil : "<dt>Links</dt><dd>\(Markup(joining: links.enumerated().map { $0 > 0 ? "<br>\($1)" : $1 }))</dd>",
            document.archived ? "<dt>Archived</dt><dd>yes</dd>" : nil,
            "<dt>Created</dt><dd>\(DisplayTime.minute(document.created.time)) by \(document.created.author)</dd>",
            "<dt>Updated</dt><dd>\(DisplayTime.minute(document.updated))</dd>",
        ]
        return "<dl class=\"fields\">\(rows.compactMap { $0 })</dl>"
    }

    private var lineage: Markup {
        func related(_ item: InitiativeDocument.Related) -> Markup {
            guard let title = item.title else { return "<code>\(item.id)</code> (not on this node)" }
            return "\(PageLayout.initiativeLink(id: item.id, title: title)) (\(item.owner ?? ""), \(item.phase ?? ""))"
        }
        let parent: Markup = document.derivedFrom.map { "<p>Derived from \(related($0)).</p>" }
            ?? "<p class=\"empty\">Not derived from another initiative.</p>"
        let children = document.children.isEmpty
            ? "<p class=\"empty\">Nothing is derived from it yet.</p>" as Markup
            : "<p>Derived from it:</p><ul>\(document.children.map { "<li>\(related($0))</li>" as Markup })</ul>"
        return "\(parent)\(children)"
    }

    private var adopters: Markup {
        PageLayout.table(["Organisation", "Status", "Since", "Note"], rows: document.adoptions.map {
            ["\($0.organisation)", "\($0.status)", "\(DisplayTime.day($0.written.time))", "\($0.note)"]
        }, empty: "No other organisation has taken it up.")
    }

    private var endorsements: Markup {
        PageLayout.table(["Organisation", "Endorsed", "Since", "Note"], rows: document.endorsements.map {
            ["\($0.organisation)", "\($0.endorsed ? "yes" : "withdrawn")", "\(DisplayTime.day($0.written.time))", "\($0.note)"]
        }, empty: "No endorsements.")
    }

    private var annotations: Markup {
        PageLayout.table(["Organisation", "Label", "Priority", "Since", "Note"], rows: document.annotations.map { annotation in
            let label: Markup = annotation.label.map {
                "<a href=\"/?label=\(OverviewQuery.percentEncoded($0))\">\($0)</a>"
            } ?? "-"
            return ["\(annotation.organisation)", label, "\(annotation.priority)", "\(DisplayTime.day(annotation.written.time))",
                    "\(annotation.note)"]
        }, empty: "No organisation has filed it in a portfolio.")
    }

    private var progress: Markup {
        PageLayout.table(["Date", "By", "Progress", "Metrics"], rows: document.progress.map { entry in
            let metrics = entry.metrics.map { "\($0.name) \(Self.number($0.value))\($0.unit.isEmpty ? "" : " \($0.unit)")" }
            return ["\(entry.date)", "\(entry.written.author)", "\(entry.text)", "\(metrics.joined(separator: ", "))"]
        }, empty: "No progress logged.")
    }

    /// `4` for 4.0, `2.5` for 2.5.
    private static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private var history: Markup {
        PageLayout.table(["When", "By", "Change"], rows: document.history.map { change in
            let description: Markup = change.superseded
                ? "<span class=\"superseded\" title=\"superseded by a later write\">\(change.description)</span>"
                : "\(change.description)"
            return ["\(DisplayTime.minute(change.written.time))", "\(change.written.author)", description]
        }, empty: "No history.")
    }
}
