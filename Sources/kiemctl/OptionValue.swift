import ArgumentParser

/// Reads an option's value with `parse`, turning its error into a usage
/// error that names the option (exit status 2), e.g. "--org: …".
func optionValue<Value>(_ option: String, _ parse: () throws -> Value) throws -> Value {
    do {
        return try parse()
    } catch {
        throw ValidationError("\(option): \(error)")
    }
}
