import ArgumentParser
import KiemCore

/// The `ID` argument of the commands that act on one initiative.
struct InitiativeTarget: ParsableArguments {
    @Argument(help: ArgumentHelp("The initiative's id (26 characters; see `kiemctl initiative list`).", valueName: "id"))
    var id: String

    func validate() throws {
        try Self.check(id)
    }

    /// Throws `ValidationError` (exit status 2) unless `id` is an initiative id.
    static func check(_ id: String) throws {
        do {
            _ = try InitiativeID(id)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
