/// A configuration that cannot be used, naming the key and what is wrong
/// with it. `kiemd` prints it and exits with status 2.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, if the configuration came from one.
    public var file: String?
    /// The offending key, dotted (`peers[2].address`), or nil for the file as a whole.
    public var key: String?
    /// What is wrong, as a sentence fragment.
    public var problem: String

    /// Creates an error.
    public init(file: String? = nil, key: String?, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        let place = file.map { "\($0): " } ?? ""
        guard let key else { return "\(place)\(problem)" }
        return "\(place)\(key): \(problem)"
    }
}
