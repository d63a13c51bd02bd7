import ArgumentParser
import KiemCore
import KiemProtocol
import SwiftProtobuf

/// The filters of `initiative list` and `search`. They combine with AND; the
/// node takes at most one value per filter.
struct InitiativeFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only initiatives in this phase.")
    var phase: Phase?

    @Option(name: .long, help: ArgumentHelp("Only initiatives with this theme.", valueName: "theme"))
    var theme: String?

    @Option(name: .long, help: ArgumentHelp("Only initiatives this organisation owns.", valueName: "org"))
    var owner: String?

    @Option(name: .long, help: ArgumentHelp("Only initiatives this organisation explores, pilots or adopted.", valueName: "org"))
    var adoptedBy: String?

    @Flag(name: .long, help: "Include archived initiatives.")
    var archived = false

    @Option(name: .long, help: ArgumentHelp("Show at most this many (1-1000).", valueName: "n"))
    var limit: Int = 50

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, got \(limit)") }
    }

    /// The query for these filters.
    func request(text: String = "") -> Kiem_V1_QueryInitiativesRequest {
        Kiem_V1_QueryInitiativesRequest.with {
            $0.phases = phase.map { [Kiem_V1_Phase($0)] } ?? []
            $0.themes = theme.map { [$0] } ?? []
            $0.owners = owner.map { [$0] } ?? []
            $0.adoptedBy = adoptedBy.map { [$0] } ?? []
            $0.includeArchived = archived
            $0.pageSize = UInt32(limit)
            $0.text = text
            $0.order = text.isEmpty ? .updated : .relevance
        }
    }
}
