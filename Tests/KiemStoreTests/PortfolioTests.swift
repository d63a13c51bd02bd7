import KiemCore
import KiemStore
import KiemTestSupport
import Testing

@Suite("the store's portfolio column")
struct PortfolioTests {
    @Test("portfolio() holds every initiative's overview facts as the apply path last wrote them, archived ones too")
    func portfolioFollowsApply() throws {
        try withTemporaryDirectory { directory in
            let scenario = RandomScenario(seed: 0x5EED, steps: 80)
            let store = try KiemStore.open(path: directory.storePath)
            defer { try? store.close() }
            try store.apply(scenario.ops)
            let expected = try store.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 100_000)).map { summary in
                PortfolioEntry(try #require(try store.initiativeState(summary.id)))
            }
            #expect(!expected.isEmpty)
            #expect(Set(try store.portfolio()) == Set(expected))
        }
    }

    @Test("once read, portfolio() is kept in memory and follows every later batch: changed, new and re-read entries")
    func portfolioStaysCurrentAfterTheFirstRead() throws {
        try withTemporaryDirectory { directory in
            let scenario = RandomScenario(seed: 0xCAC4E, steps: 120)
            let (early, late) = (Array(scenario.ops.prefix(60)), Array(scenario.ops.dropFirst(60)))
            let store = try KiemStore.open(path: directory.storePath)
            defer { try? store.close() }
            try store.apply(early)
            let before = try store.portfolio()
            var regie = SimulatedNode("regie-1", organisation: "regie")
            let annotated = try #require(before.first).id
            // Batches after the first read: new initiatives, changes, an
            // annotation; each must show in the next read.
            for op in late { try store.apply([op]) }
            try store.apply([regie.annotate(annotated, Annotation(label: "werkagenda-2027", priority: .high))])
            let after = try store.portfolio()
            let expected = try store.initiatives(matching: InitiativeQuery(includeArchived: true, limit: 100_000)).map { summary in
                PortfolioEntry(try #require(try store.initiativeState(summary.id)))
            }
            #expect(after.count > before.count, "the scenario's later ops create initiatives")
            #expect(Set(after) == Set(expected))
            #expect(after.count == Set(after.map(\.id)).count, "each initiative once")
            #expect(after.first { $0.id == annotated }?.annotations.values.map(\.label) == ["werkagenda-2027"])

            // A reopened store reads the same from the file.
            try store.close()
            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            #expect(Set(try reopened.portfolio()) == Set(after))
        }
    }

    @Test("an entry survives its encoding, and damaged bytes are refused")
    func encoding() throws {
        var node = SimulatedNode("uwv-1", organisation: "uwv")
        let create = node.create(InitiativeDraft(title: "Veilig data delen", themes: ["mpc", "data"]))
        var initiative = try #require(Initiative(creation: create))
        initiative.apply(node.setPhase(create.initiative, PhaseValue(.stopped, lessonsLearned: "Te vroeg")))
        let entry = PortfolioEntry(initiative)
        #expect(try PortfolioEntry(canonicalBytes: entry.canonicalBytes) == entry)
        #expect(throws: CanonicalDecodingError.self) { try PortfolioEntry(canonicalBytes: Array(entry.canonicalBytes.dropLast())) }
        #expect(throws: CanonicalDecodingError.self) { try PortfolioEntry(canonicalBytes: Array("KPE0".utf8)) }
    }
}
