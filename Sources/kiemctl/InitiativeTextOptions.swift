import ArgumentParser

/// The optional text fields of `initiative create` and `edit`.
struct InitiativeTextOptions: ParsableArguments {
    @Option(name: .long, help: "A one-paragraph summary.")
    var summary: String?

    @Option(name: .long, help: "The full description.")
    var description: String?

    @Option(name: .long, help: ArgumentHelp("Who to ask, e.g. an e-mail address.", valueName: "contact"))
    var contact: String?

    @Option(name: .long, help: ArgumentHelp("How it is funded.", valueName: "funding"))
    var funding: String?

    /// Whether any field was given.
    var isEmpty: Bool { [summary, description, contact, funding].allSatisfy { $0 == nil } }
}
