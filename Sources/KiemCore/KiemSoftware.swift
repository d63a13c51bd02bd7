/// This build of Kiem, as the daemon reports itself to peers (`Handshake`)
/// and in status, and as `kiemctl doctor` introduces itself to them.
public enum KiemSoftware {
    /// The version, e.g. `kiemd 0.1.0`.
    public static let version = "kiemd 0.1.0"
}
