/// The `op.status` column: what the store decided about an op.
enum StoredOpStatus: Int64, Sendable {
    case accepted = 1
    case held = 2
    case rejected = 3
}
