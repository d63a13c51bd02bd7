import ArgumentParser

/// `kiemctl initiative`: record, change and read initiatives.
struct InitiativeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "initiative",
        abstract: "Record, change, adopt and read initiatives.",
        discussion: """
            Writes are made as this node's organisation and replicate to every node. The rules \
            decide who may do what: only the owner edits an initiative, moves its phase or \
            archives it; other organisations adopt and endorse it; the owner and its adopters log \
            progress; any organisation files it in its own portfolio with annotate (what a regie \
            node does). A refused write exits with status 1 and names the rule.

            $ID below stands for an initiative's id: 26 characters, as `create` and `list` print it.

            Examples:
              kiemctl initiative create --title "Chatbot voor werkzoekenden" --theme ai
              kiemctl initiative phase $ID pilot
              kiemctl initiative progress $ID --text "Pilot gestart" --metric gesprekken=500
              kiemctl initiative adopt $ID --status piloting --fork
              kiemctl initiative annotate $ID --label werkagenda-2027 --priority high
              kiemctl initiative list --theme ai --phase pilot
              kiemctl initiative search chatbot
              kiemctl initiative show $ID
            """,
        subcommands: [
            InitiativeCreateCommand.self, InitiativeEditCommand.self, InitiativePhaseCommand.self,
            InitiativeProgressCommand.self, InitiativeAdoptCommand.self, InitiativeEndorseCommand.self,
            InitiativeAnnotateCommand.self, InitiativeArchiveCommand.self, InitiativeShowCommand.self, InitiativeListCommand.self,
            InitiativeSearchCommand.self, InitiativeHistoryCommand.self,
        ]
    )
}
