import ArgumentParser

/// A command that talks to a node, through its ``ControlOptions``.
protocol NodeCommand: ParsableCommand {
    /// Where the node's control socket is, and `--json`.
    var control: ControlOptions { get set }
}

extension Kiemctl {
    /// The control options that may come before the subcommand, as `git -C`
    /// and `kubectl --context` take theirs: `kiemctl --socket S status`.
    static let leadingValueOptions: Set<String> = ["--socket", "--config"]
    static let leadingFlags: Set<String> = ["--json"]

    /// Parses a command line (without the program name) into the command to
    /// run. Control options before the subcommand apply to it, unless the
    /// subcommand sets the same option itself (then its own value wins).
    /// - Throws: ArgumentParser's errors, and a `ValidationError` when options
    ///   before the subcommand meet a command that does not talk to a node.
    static func parseCommand(_ arguments: [String]) throws -> any ParsableCommand {
        let (leading, rest) = splitLeadingOptions(arguments)
        guard !leading.isEmpty else { return try parseAsRoot(rest) }
        let leadingOptions = try ControlOptions.parse(leading)
        var command = try parseAsRoot(rest)
        guard var nodeCommand = command as? any NodeCommand else {
            throw ValidationError(
                "\(leading.joined(separator: " ")) before the subcommand applies only to commands that talk to a node "
                    + "(status, peers, initiative, watch, sync, overview, doctor).")
        }
        nodeCommand.control = nodeCommand.control.filling(from: leadingOptions)
        command = nodeCommand
        try command.validate()
        return command
    }

    /// The control options at the front of `arguments`, and what follows them.
    static func splitLeadingOptions(_ arguments: [String]) -> (leading: [String], rest: [String]) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.prefix { $0 != "=" })
            if leadingFlags.contains(argument) || (leadingValueOptions.contains(name) && argument.contains("=")) {
                index += 1
            } else if leadingValueOptions.contains(argument) {
                index = min(index + 2, arguments.count)
            } else {
                break
            }
        }
        return (Array(arguments[..<index]), Array(arguments[index...]))
    }
}

extension ControlOptions {
    /// These options, with `leading`'s for each one these leave unset.
    func filling(from leading: ControlOptions) -> ControlOptions {
        var options = self
        options.socket = socket ?? leading.socket
        options.config = config ?? leading.config
        options.json = json || leading.json
        return options
    }
}

extension StatusCommand: NodeCommand {}
extension DoctorCommand: NodeCommand {}
extension PeersListCommand: NodeCommand {}
extension PeersAddCommand: NodeCommand {}
extension PeersRemoveCommand: NodeCommand {}
extension WatchCommand: NodeCommand {}
extension SyncCommand: NodeCommand {}
extension OverviewCommand: NodeCommand {}
extension InitiativeAdoptCommand: NodeCommand {}
extension InitiativeAnnotateCommand: NodeCommand {}
extension InitiativeArchiveCommand: NodeCommand {}
extension InitiativeCreateCommand: NodeCommand {}
extension InitiativeEditCommand: NodeCommand {}
extension InitiativeEndorseCommand: NodeCommand {}
extension InitiativeHistoryCommand: NodeCommand {}
extension InitiativeListCommand: NodeCommand {}
extension InitiativePhaseCommand: NodeCommand {}
extension InitiativeProgressCommand: NodeCommand {}
extension InitiativeSearchCommand: NodeCommand {}
extension InitiativeShowCommand: NodeCommand {}
