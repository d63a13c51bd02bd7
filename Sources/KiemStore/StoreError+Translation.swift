import GRDB
import KiemCore

extension StoreError {
    /// Translates any error raised while working on the file at `path`.
    init(_ error: any Error, path: String) {
        switch error {
        case let error as StoreError:
            self = error
        case let error as DatabaseError:
            let reason = error.message ?? "\(error.resultCode)"
            switch error.resultCode.primaryResultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                self = .corrupt(path: path, reason: reason)
            case .SQLITE_MISUSE where reason.lowercased().contains("closed"):
                self = .closed(path: path)
            default:
                self = .io(path: path, reason: reason)
            }
        case let error as CanonicalDecodingError:
            self = .corrupt(path: path, reason: "a stored op does not decode: \(error)")
        case let error as IdentifierError:
            self = .corrupt(path: path, reason: "a stored identifier is invalid: \(error)")
        default:
            self = .io(path: path, reason: "\(error)")
        }
    }
}
