import Foundation
import KiemStore

/// A fresh folder under the system temporary directory, removed by
/// ``remove()``. Each test makes its own, so tests can run in parallel.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiem-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The path of the store file.
    var storePath: String { path("kiem.sqlite") }

    /// The names of the files in the folder, sorted.
    func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a fresh folder and removes the folder afterwards.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) throws -> T) throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try body(directory)
}

/// Runs `body` with a store opened in a fresh folder, closed and removed
/// afterwards.
func withStore<T>(_ body: (KiemStore, TemporaryDirectory) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let store = try KiemStore.open(path: directory.storePath)
        defer { try? store.close() }
        return try body(store, directory)
    }
}
