import Foundation
import KiemCore
@testable import KiemStore
import KiemTestSupport
import Testing

/// Listing with filters and full-text search.
@Suite struct QueryTests {
    /// A small federation: uwv owns three initiatives, svb one; svb adopts
    /// one of uwv's and drops another; one is archived.
    struct World {
        var robotica: InitiativeID
        var mpc: InitiativeID
        var cafe: InitiativeID
        var inkoop: InitiativeID
    }

    static func makeWorld(in store: KiemStore) throws -> World {
        var uwv = Fixtures.node("uwv-1", "uwv")
        var svb = Fixtures.node("svb-1", "svb", at: 1_764_400_001_000)
        let robotica = uwv.create(InitiativeDraft(
            title: "Robotisering van de bezwaarafhandeling",
            summary: "Software-robots verwerken standaardbezwaren",
            description: "Een experiment met RPA bij het UWV; de doorlooptijd daalde van 12 naar 4 dagen.",
            phase: PhaseValue(.pilot), themes: ["robotica", "ai"]))
        let mpc = uwv.create(InitiativeDraft(
            title: "Multi-party computation voor inkomensgegevens",
            summary: "Rekenen op versleutelde data van meerdere organisaties",
            phase: PhaseValue(.experiment), themes: ["mpc"]))
        let cafe = uwv.create(InitiativeDraft(
            title: "Één café voor naïeve vragen",
            summary: "Coördinatie tussen ketenpartners, ook \"AND\" en (haakjes)",
            description: "Crème brûlée als beloning", phase: PhaseValue(.idea), themes: ["inkoop"]))
        let archive = uwv.setArchived(cafe.initiative, true)
        let inkoop = svb.create(InitiativeDraft(
            title: "Slim inkopen met AI", summary: "Aanbestedingen sneller beoordelen",
            phase: PhaseValue(.proven), themes: ["inkoop", "ai"], derivedFrom: robotica.initiative))
        svb.receive([robotica, mpc, cafe])
        let adopt = svb.adopt(robotica.initiative, .piloting)
        let drop = svb.adopt(mpc.initiative, .dropped)
        try store.apply([robotica, mpc, cafe, archive])
        try store.apply([inkoop, adopt, drop])
        return World(robotica: robotica.initiative, mpc: mpc.initiative, cafe: cafe.initiative, inkoop: inkoop.initiative)
    }

    func ids(_ store: KiemStore, _ query: InitiativeQuery) throws -> Set<InitiativeID> {
        Set(try store.initiatives(matching: query).map(\.id))
    }

    @Test func filtersByEveryField() throws {
        try withStore { store, _ in
            let world = try Self.makeWorld(in: store)
            let uwv = Fixtures.organisation("uwv")
            let svb = Fixtures.organisation("svb")
            #expect(try ids(store, InitiativeQuery()) == [world.robotica, world.mpc, world.inkoop])
            #expect(try ids(store, InitiativeQuery(includeArchived: true)) == [world.robotica, world.mpc, world.cafe, world.inkoop])
            #expect(try ids(store, InitiativeQuery(phase: .pilot)) == [world.robotica])
            #expect(try ids(store, InitiativeQuery(phase: .scaling)) == [])
            #expect(try ids(store, InitiativeQuery(theme: "ai")) == [world.robotica, world.inkoop])
            #expect(try ids(store, InitiativeQuery(theme: "inkoop")) == [world.inkoop])
            #expect(try ids(store, InitiativeQuery(theme: "inkoop", includeArchived: true)) == [world.inkoop, world.cafe])
            #expect(try ids(store, InitiativeQuery(owner: uwv)) == [world.robotica, world.mpc])
            #expect(try ids(store, InitiativeQuery(owner: svb)) == [world.inkoop])
            #expect(try ids(store, InitiativeQuery(adoptedBy: svb)) == [world.robotica])
            #expect(try ids(store, InitiativeQuery(adoptedBy: uwv)) == [])
            #expect(try ids(store, InitiativeQuery(phase: .pilot, theme: "ai", owner: uwv, adoptedBy: svb)) == [world.robotica])
            #expect(try ids(store, InitiativeQuery(phase: .pilot, owner: svb)) == [])
            #expect(try ids(store, InitiativeQuery(derivedFrom: world.robotica)) == [world.inkoop])
            #expect(try ids(store, InitiativeQuery(derivedFrom: world.inkoop)) == [])
        }
    }

    @Test func listsNewestFirstWithinTheLimit() throws {
        try withStore { store, _ in
            let world = try Self.makeWorld(in: store)
            let listing = try store.initiatives(matching: InitiativeQuery(includeArchived: true))
            #expect(listing.map(\.id) == [world.robotica, world.mpc, world.cafe, world.inkoop].sorted(by: >))
            #expect(try store.initiatives(matching: InitiativeQuery(limit: 2)).count == 2)
            #expect(try store.initiatives(matching: InitiativeQuery(limit: 0)).isEmpty)
        }
    }

    @Test func summariesCarryTheMaterializedValues() throws {
        try withStore { store, _ in
            let world = try Self.makeWorld(in: store)
            let all = try store.initiatives(matching: InitiativeQuery(includeArchived: true))
            let robotica = try #require(all.first { $0.id == world.robotica })
            #expect(robotica.owner == Fixtures.organisation("uwv"))
            #expect(robotica.phase == .pilot)
            #expect(robotica.themes == ["ai", "robotica"])
            #expect(robotica.adoptions == [Fixtures.organisation("svb"): .piloting])
            #expect(!robotica.isArchived && !robotica.isContested)
            let inkoop = try #require(all.first { $0.id == world.inkoop })
            #expect(inkoop.derivedFrom == world.robotica)
            let mpc = try #require(all.first { $0.id == world.mpc })
            #expect(mpc.adoptions == [Fixtures.organisation("svb"): .dropped])
            #expect(try #require(all.first { $0.id == world.cafe }).isArchived)
        }
    }

    @Test func fullTextSearchIgnoresCaseAndDiacritics() throws {
        try withStore { store, _ in
            let world = try Self.makeWorld(in: store)
            func search(_ text: String) throws -> Set<InitiativeID> {
                try ids(store, InitiativeQuery(text: text, includeArchived: true))
            }
            #expect(try search("cafe") == [world.cafe])
            #expect(try search("CAFÉ") == [world.cafe])
            #expect(try search("naieve") == [world.cafe])
            #expect(try search("een cafe") == [world.cafe])
            #expect(try search("creme brulee") == [world.cafe])
            #expect(try search("coordinatie") == [world.cafe])
            #expect(try search("robot") == [world.robotica])          // prefix of "robotisering", "robots"
            #expect(try search("doorlooptijd") == [world.robotica])   // from the description
            #expect(try search("versleutelde") == [world.mpc])        // from the summary
            #expect(try search("inkomensgegevens mpc") == [])         // all words must match
            #expect(try search("multi party") == [world.mpc])
            #expect(try search("ai") == [world.inkoop])               // the theme is not text
            #expect(try search("zzzz") == [])
            #expect(try ids(store, InitiativeQuery(text: "cafe")) == [])  // archived unless asked
            #expect(try ids(store, InitiativeQuery(owner: Fixtures.organisation("svb"), text: "software")) == [])
        }
    }

    @Test func hostileSearchTextIsSafe() throws {
        try withStore { store, _ in
            let world = try Self.makeWorld(in: store)
            func search(_ text: String) throws -> Set<InitiativeID> {
                try ids(store, InitiativeQuery(text: text, includeArchived: true))
            }
            for text in ["\"", "\"\"", "AND", "OR", "NOT", "NEAR", "NEAR(", "*", "^", ":", "(", ")", "'",
                         "title:", "-", "robot\" OR \"x", "a AND", "AND OR NOT", "'; DROP TABLE op; --", "\u{0}",
                         "{title summary}: robot", "💥", "   "] {
                _ = try search(text)
            }
            #expect(try search("\"AND\"") == [world.cafe])               // the word "AND" in the summary
            #expect(try search("(haakjes)") == [world.cafe])
            #expect(try search("robot\" OR \"mpc") == [])                // three words, no operator
            #expect(try search("title:robotisering") == [])              // no column filters
            #expect(try search("robotisering*") == [world.robotica])
            #expect(try search("'; DROP TABLE op; --") == [])
            #expect(try store.counts().ops == 7)
            #expect(try search("   ") == [world.robotica, world.mpc, world.cafe, world.inkoop])  // blank: no filter
            #expect(try search("!!!") == [])                             // no words: nothing matches
        }
    }

    @Test func searchFollowsEditsOfTheWinningTexts() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            let create = uwv.create(InitiativeDraft(title: "Chatbot voor toeslagen"))
            try store.apply([create])
            #expect(try ids(store, InitiativeQuery(text: "chatbot")) == [create.initiative])
            try store.apply([uwv.setText(create.initiative, .title, "Spraakassistent voor toeslagen")])
            #expect(try ids(store, InitiativeQuery(text: "chatbot")) == [])
            #expect(try ids(store, InitiativeQuery(text: "spraakassistent")) == [create.initiative])
            try store.apply([uwv.setText(create.initiative, .description, "Werkt ook in het Fries")])
            #expect(try ids(store, InitiativeQuery(text: "fries toeslagen")) == [create.initiative])
            try store.apply([uwv.setPhase(create.initiative, PhaseValue(.stopped, lessonsLearned: "Te weinig gebruik"))])
            #expect(try ids(store, InitiativeQuery(phase: .stopped, text: "spraak")) == [create.initiative])
            try store.checkSearchIndex()
        }
    }

    /// After reopening, the texts the index holds come from replaying the
    /// ops (no cache), and editing must still replace them exactly.
    @Test func searchFollowsEditsAfterReopening() throws {
        try withTemporaryDirectory { directory in
            var uwv = Fixtures.node("uwv-1", "uwv")
            let create = uwv.create(InitiativeDraft(title: "Sensoren in sluizen", description: "Predictief onderhoud"))
            let store = try KiemStore.open(path: directory.storePath)
            try store.apply([create])
            try store.close()
            let reopened = try KiemStore.open(path: directory.storePath)
            defer { try? reopened.close() }
            try reopened.apply([uwv.setText(create.initiative, .description, "Camera's op bruggen")])
            #expect(try ids(reopened, InitiativeQuery(text: "predictief")) == [])
            #expect(try ids(reopened, InitiativeQuery(text: "bruggen sluizen")) == [create.initiative])
            try reopened.checkSearchIndex()
        }
    }

    @Test func showsAnInitiativeWithItsWholeHistory() throws {
        try withStore { store, _ in
            var uwv = Fixtures.node("uwv-1", "uwv")
            var rws = Fixtures.node("rws-1", "rws", at: 1_764_400_000_000)
            let create = uwv.create(InitiativeDraft(title: "Drones voor dijkinspectie"))
            rws.receive([create])
            // Concurrent title writes: both stay visible, the later HLC wins.
            let mine = uwv.setText(create.initiative, .title, "Drones bij dijken")
            let theirs = rws.setText(create.initiative, .title, "Dijkdrones")   // rejected: not the owner
            let endorse = rws.endorse(create.initiative, true, note: "Werkt bij ons ook")
            try store.apply([create, mine])
            try store.apply([theirs, endorse])
            let record = try #require(try store.initiative(create.initiative))
            #expect(record.history.map(\.op) == [create, mine, theirs, endorse].sorted { ($0.hlc, $0.id) < ($1.hlc, $1.id) })
            #expect(record.initiative.endorsements[rws.organisation]?.value == Endorsement(endorsed: true, note: "Werkt bij ons ook"))
            #expect(record.initiative.title == "Drones bij dijken")
            #expect(record.history.first { $0.op == theirs }?.status == .rejected(
                Rejection(.ownerOnly, "only uwv may edit this initiative")))
            #expect(try store.initiative(InitiativeID(timestamp: HLCTimestamp(rawValue: 1), nodeHash: 2)) == nil)
        }
    }

    @Test func concurrentValuesAreMarkedContested() throws {
        try withStore { store, _ in
            // Two nodes of one organisation edit the same title concurrently.
            var first = Fixtures.node("uwv-1", "uwv")
            var second = Fixtures.node("uwv-2", "uwv", at: 1_764_400_000_000)
            let create = first.create(InitiativeDraft(title: "Origineel"))
            second.receive([create])
            let a = first.setText(create.initiative, .title, "Versie A")
            let b = second.setText(create.initiative, .title, "Versie B")
            try store.apply([create, a, b])
            let summary = try #require(try store.initiatives(matching: InitiativeQuery()).first)
            #expect(summary.isContested)
            let record = try #require(try store.initiative(create.initiative))
            #expect(record.initiative.texts[.title].visible.count == 2)
            #expect(Set([summary.title]).isSubset(of: ["Versie A", "Versie B"]))
        }
    }
}
