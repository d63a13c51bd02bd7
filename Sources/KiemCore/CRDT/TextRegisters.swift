/// The registers of an initiative's text fields, one stored property each so
/// that an initiative costs no dictionary.
public struct TextRegisters: Hashable, Sendable {
    private var title = MultiValueRegister<String>()
    private var summary = MultiValueRegister<String>()
    private var description = MultiValueRegister<String>()
    private var contact = MultiValueRegister<String>()
    private var funding = MultiValueRegister<String>()

    /// Empty registers.
    public init() {}

    /// The register of `field`.
    public subscript(field: TextField) -> MultiValueRegister<String> {
        get {
            switch field {
            case .title: title
            case .summary: summary
            case .description: description
            case .contact: contact
            case .funding: funding
            }
        }
        _modify {
            switch field {
            case .title: yield &title
            case .summary: yield &summary
            case .description: yield &description
            case .contact: yield &contact
            case .funding: yield &funding
            }
        }
    }
}
