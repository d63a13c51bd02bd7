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
