import ArgumentParser
import Foundation
import GRDB
import KiemCore
import KiemStore

/// `kiem-bench apply`: the corpus applied to a fresh store in batches, against
/// a bare bulk insert of the same op rows in the same run.
struct ApplyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply the corpus to a fresh SQLite store and compare with a bare bulk insert.",
        discussion: """
            The baseline inserts the same op rows (origin, seq, hlc, initiative, author, kind, \
            canonical bytes) with one prepared statement into a bare table (no key, no index), \
            in the same batches, \
            with the same journal mode (WAL) and synchronous setting (FULL) as the store. \
            Target: store time / baseline time <= 2.0. \
            A second baseline, SQLite alone holding the same content: the rows the store holds after the apply \
            (op log, initiatives, themes, adoptions, full-text entries), computed beforehand and bulk-inserted into \
            a fresh store file with the same tables and indexes (same_content_ratio); its digest must equal the \
            store's.
            """
    )

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Ops per transaction; a multiple of 5, so that each initiative's five ops share one.")
    var batch = 5_000

    @Option(help: "Folder for the database files (a fresh temporary folder by default).")
    var dir: String?

    func validate() throws {
        // The same-content baseline writes each initiative's row once, in
        // the batch that creates it.
        guard batch > 0, batch % 5 == 0 else {
            throw ValidationError("--batch must be a positive multiple of 5 (each initiative has five ops), got \(batch)")
        }
    }

    func run() throws {
        print("generating \(options.n) initiatives…")
        let ops = BenchmarkCorpus(initiatives: options.n).ops
        let folder = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("kiem-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }

        print("baseline: bare bulk insert…")
        let rows = ops.map(BaselineRow.init)
        let payloadBytes = rows.reduce(0) { $0 + $1.canonical.count }
        let baselineStartCPU = ProcessStatistics.cpuSeconds()
        let baselineStartWritten = ProcessStatistics.writtenBytes()
        let baselineSeconds = try Self.baselineInsert(rows, batch: batch, path: folder + "/baseline.sqlite")
        let baselineCPUSeconds = ProcessStatistics.cpuSeconds() - baselineStartCPU
        let baselineWrittenBytes = ProcessStatistics.writtenBytes() - baselineStartWritten
        let baselineFileBytes = Self.fileBytes(folder + "/baseline.sqlite")

        print("baseline: the same content in a fresh store file…")
        let sameContent = try SameContentBaseline(ops, batch: batch)
        let sameContentPath = folder + "/same-content.sqlite"
        let sameContentSeconds = try sameContent.insert(path: sameContentPath)

        print("store: apply in batches of \(batch)…")
        // Like the baseline, the store gets the ops already encoded, as they
        // arrive from the wire.
        let encoded = ops.map { EncodedOp($0) }
        let store = try KiemStore.open(path: folder + "/store.sqlite")
        let start = ProcessStatistics.now()
        let startCPU = ProcessStatistics.cpuSeconds()
        let startWritten = ProcessStatistics.writtenBytes()
        var index = 0
        var accepted = 0
        while index < ops.count {
            let end = min(index + batch, ops.count)
            accepted += try store.apply(Array(encoded[index..<end])).accepted.count
            index = end
            if index % (batch * 20) == 0 { print("  \(index) / \(ops.count) ops") }
        }
        let storeSeconds = ProcessStatistics.now() - start
        let storeCPUSeconds = ProcessStatistics.cpuSeconds() - startCPU
        // Not part of the apply: what `kiemctl status` pays for the digest.
        let digestStart = ProcessStatistics.now()
        let digest = try store.digest()
        let digestSeconds = ProcessStatistics.now() - digestStart
        try store.close()
        let storeWrittenBytes = ProcessStatistics.writtenBytes() - startWritten
        let storeFileBytes = Self.fileBytes(folder + "/store.sqlite")
        guard accepted == ops.count else { throw ValidationError("only \(accepted) of \(ops.count) ops were accepted") }
        let sameContentStore = try KiemStore.open(path: sameContentPath)
        defer { try? sameContentStore.close() }
        guard try sameContentStore.digest() == digest else {
            throw ValidationError("the same-content baseline does not hold what the store holds (digests differ)")
        }

        let ratio = storeSeconds / baselineSeconds
        BenchmarkReport(scenario: "apply", figures: [
            ("initiatives", .int(options.n)),
            ("ops", .int(ops.count)),
            ("canonical_mb", .double(Double(payloadBytes) / 1e6)),
            ("store_seconds", .double(storeSeconds)),
            ("store_ops_per_second", .double(Double(ops.count) / storeSeconds)),
            ("store_mb_per_second", .double(Double(payloadBytes) / 1e6 / storeSeconds)),
            ("store_cpu_seconds", .double(storeCPUSeconds)),
            ("baseline_seconds", .double(baselineSeconds)),
            ("baseline_ops_per_second", .double(Double(ops.count) / baselineSeconds)),
            ("baseline_cpu_seconds", .double(baselineCPUSeconds)),
            ("ratio", .double(ratio)),
            // CPU time is disturbed less by other load on a shared machine;
            // the target is on wall time (`ratio`).
            ("cpu_ratio", .double(storeCPUSeconds / baselineCPUSeconds)),
            ("target_ratio", .double(2.0)),
            ("same_content_seconds", .double(sameContentSeconds)),
            ("same_content_ratio", .double(storeSeconds / sameContentSeconds)),
            ("peak_rss_mb", .double(Double(ProcessStatistics.peakResidentBytes()) / 1e6)),
            ("digest_seconds", .double(digestSeconds)),
            // Bytes written (WAL frames and checkpoints, including the last
            // one on closing) and the files' sizes at the end.
            ("store_written_mb", .double(Double(storeWrittenBytes) / 1e6)),
            ("baseline_written_mb", .double(Double(baselineWrittenBytes) / 1e6)),
            ("store_file_mb", .double(Double(storeFileBytes) / 1e6)),
            ("baseline_file_mb", .double(Double(baselineFileBytes) / 1e6)),
        ]).print(json: options.json)
    }

    /// The size of the file at `path` (0 if it cannot be read).
    static func fileBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// One op row as the baseline stores it.
    struct BaselineRow {
        let origin: String
        let seq: Int64
        let hlc: Int64
        let initiative: Data
        let author: String
        let kind: String
        let canonical: Data

        init(_ op: Op) {
            origin = op.origin.rawValue
            seq = Int64(op.id.seq)
            hlc = Int64(bitPattern: op.hlc.rawValue)
            initiative = op.initiative.storeData
            author = op.author.rawValue
            kind = op.mutation.kind
            canonical = Data(op.canonicalBytes)
        }
    }

    /// Inserts the rows with one prepared statement, one transaction per
    /// batch; returns the seconds it took.
    static func baselineInsert(_ rows: [BaselineRow], batch: Int, path: String) throws -> Double {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                CREATE TABLE op (
                    origin TEXT NOT NULL, seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
                    initiative BLOB NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL,
                    canonical BLOB NOT NULL
                );
                """)
        }
        let start = ProcessStatistics.now()
        var index = 0
        while index < rows.count {
            let end = min(index + batch, rows.count)
            try queue.inTransaction { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO op VALUES (?, ?, ?, ?, ?, ?, ?)")
                for row in rows[index..<end] {
                    try insert.execute(arguments: [row.origin, row.seq, row.hlc, row.initiative, row.author, row.kind, row.canonical])
                }
                return .commit
            }
            index = end
        }
        let seconds = ProcessStatistics.now() - start
        try queue.close()
        return seconds
    }
}
