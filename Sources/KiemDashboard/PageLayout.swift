/// The HTML document around every dashboard page: the header with the node
/// and a search box, the content, and the stylesheet, inline (the dashboard
/// loads nothing else: no scripts, fonts or images).
enum PageLayout {
    /// A whole page.
    /// - Parameters:
    ///   - title: the page's title, before "· Kiem".
    ///   - node: the node serving it.
    ///   - search: the text in the search box.
    static func page(title: String, node: String, search: String = "", _ content: Markup) -> Markup {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Kiem</title>
        <style>\(stylesheet)</style>
        </head>
        <body>
        <header><div class="bar">\
        <a class="brand" href="/">Kiem <span>portfolio overview</span></a>\
        <form class="search" action="/search" method="get" role="search">\
        <label for="q" class="hidden">Search initiatives</label>\
        <input id="q" name="q" type="search" value="\(search)" placeholder="Search initiatives">\
        <button type="submit">Search</button></form>\
        </div></header>
        <main>
        \(content)
        </main>
        <footer>Served read-only by node \(node). Data is the node's replica: what reached it so far.</footer>
        </body>
        </html>

        """
    }

    /// A table with a header row; `empty` is shown instead when there are no
    /// rows.
    static func table(_ headers: [String], rows: [[Markup]], empty: String, numeric: Set<Int> = []) -> Markup {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(empty)</p>" }
        let head = headers.enumerated().map { index, header -> Markup in
            "<th scope=\"col\"\(numeric.contains(index) ? " class=\"n\"" : "" as Markup)>\(header)</th>"
        }
        let body = rows.map { cells -> Markup in
            let row = cells.enumerated().map { index, cell -> Markup in
                "<td\(numeric.contains(index) ? " class=\"n\"" : "" as Markup)>\(cell)</td>"
            }
            return "<tr>\(row)</tr>"
        }
        return "<div class=\"scroll\"><table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>"
    }

    /// A link to an initiative's page, showing its title.
    static func initiativeLink(id: String, title: String) -> Markup {
        "<a href=\"/initiatives/\(id)\">\(title.isEmpty ? "(untitled)" : title)</a>"
    }

    /// A phase as a small coloured label.
    static func phaseBadge(_ phase: String) -> Markup {
        "<span class=\"phase phase-\(phase)\">\(phase)</span>"
    }

    private static let stylesheet: Markup = """
        :root{--blue:#01689b;--dark:#154273;--ink:#1b1b1b;--muted:#5c5c5c;--line:#d8d8d8;--soft:#f3f3f3}
        *{box-sizing:border-box}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff;line-height:1.45}
        header{background:var(--dark);color:#fff}
        .bar{max-width:1200px;margin:0 auto;padding:.7rem 1.2rem;display:flex;gap:1rem;align-items:center;justify-content:space-between;flex-wrap:wrap}
        .brand{color:#fff;text-decoration:none;font-weight:700;font-size:1.25rem}
        .brand span{font-weight:400;opacity:.85}
        .search{display:flex;gap:.4rem}
        input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:3px}
        button{background:var(--blue);color:#fff;border-color:var(--blue);cursor:pointer}
        main{max-width:1200px;margin:0 auto;padding:1rem 1.2rem 2rem}
        h1{font-size:1.6rem;margin:.6rem 0 .8rem;color:var(--dark)}
        h2{font-size:1.2rem;margin:2rem 0 .6rem;color:var(--dark);border-bottom:2px solid var(--blue);padding-bottom:.2rem}
        a{color:var(--blue)}
        .filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:flex-end;background:var(--soft);padding:.8rem;border-radius:4px}
        .filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
        .numbers{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.8rem;margin:1rem 0;padding:0;list-style:none}
        .numbers li{background:var(--soft);border-left:4px solid var(--blue);padding:.6rem .8rem}
        .numbers strong{display:block;font-size:1.8rem;color:var(--dark)}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:1.2rem}
        figure{margin:0;border:1px solid var(--line);border-radius:4px;padding:.8rem}
        figure.wide{grid-column:1/-1}
        figure svg{max-width:100%;height:auto;display:block}
        figcaption{font-weight:600;margin-bottom:.4rem}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.92rem}
        th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:var(--soft)}
        .n{text-align:right;font-variant-numeric:tabular-nums}
        .phase{display:inline-block;padding:0 .45rem;border-radius:3px;font-size:.82rem;background:#b3d1e6}
        .phase-experiment{background:#7fb2d8}.phase-pilot{background:#3d8dc4;color:#fff}
        .phase-proven{background:#01689b;color:#fff}.phase-scaling{background:#154273;color:#fff}.phase-stopped{background:#a8a8a8}
        .empty,.note{color:var(--muted)}
        .concurrent{color:#8a4b00}
        dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
        dl.fields dt{font-weight:600}
        dl.fields dd{margin:0}
        .superseded{color:var(--muted);text-decoration:line-through}
        .hidden{position:absolute;left:-9999px}
        footer{max-width:1200px;margin:0 auto;padding:1rem 1.2rem 2rem;color:var(--muted);font-size:.85rem}
        """
}
