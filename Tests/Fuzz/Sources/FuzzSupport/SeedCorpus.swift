import Foundation

/// A target's seed corpus, made from real encoder output.
///
/// `run.sh seeds` starts each target with `KIEM_FUZZ_WRITE_SEEDS=DIR`; the
/// target's `LLVMFuzzerInitialize` then writes its seeds into DIR (one file
/// each, named after what it holds) and exits before fuzzing.
public enum SeedCorpus {
    /// The environment variable naming the folder to write seeds into.
    public static let variable = "KIEM_FUZZ_WRITE_SEEDS"

    /// Writes `seeds()` and exits when ``variable`` is set; returns otherwise.
    public static func writeIfAsked(_ seeds: () throws -> [(name: String, bytes: [UInt8])]) {
        guard let folder = ProcessInfo.processInfo.environment[variable] else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let written = try seeds()
            for seed in written {
                try Data(seed.bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(seed.name))
            }
            print("wrote \(written.count) seeds to \(folder)")
            exit(0)
        } catch {
            print("cannot write seeds to \(folder): \(error)")
            exit(1)
        }
    }
}
