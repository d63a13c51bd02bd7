import KiemCore
import KiemTestSupport
import Testing

@Suite struct RulesTests {
    var uwv = SimulatedNode("uwv-1", organisation: "uwv")
    var svb = SimulatedNode("svb-1", organisation: "svb")

    mutating func created() -> Op {
        let op = uwv.create(InitiativeDraft(title: "Procesmining bij inkoop", themes: ["inkoop"]))
        svb.receive([op])
        return op
    }

    @Test mutating func onlyTheOwnerEditsCoreFields() {
        let create = created()
        let edit = svb.setText(create.initiative, .title, "Van ons")
        var replica = Replica()
        let outcome = replica.apply([create, edit])
        #expect(outcome.rejected.map(\.rejection.message) == ["only uwv may edit this initiative"])
        #expect(outcome.rejected.first?.rejection.rule == .ownerOnly)
        #expect(replica.initiatives[create.initiative]!.title == "Procesmining bij inkoop")
    }

    @Test mutating func anOrganisationCannotAdoptOrEndorseItsOwnInitiative() {
        let create = created()
        let adopt = uwv.adopt(create.initiative, .adopted)
        let endorse = uwv.endorse(create.initiative)
        var replica = Replica()
        let outcome = replica.apply([create, adopt, endorse])
        #expect(outcome.rejected.map(\.rejection.rule) == [.notOnOwnInitiative, .notOnOwnInitiative])
        #expect(outcome.rejected.first?.rejection.message == "uwv cannot adopt its own initiative")
    }

    @Test mutating func opsForAnUnknownInitiativeAreHeldThenJudged() {
        let create = created()
        let adopt = svb.adopt(create.initiative, .piloting)
        let badEdit = svb.setText(create.initiative, .summary, "x")
        var replica = Replica()
        let first = replica.apply([adopt, badEdit])
        #expect(first.held == [adopt.id: .initiative(create.initiative), badEdit.id: .initiative(create.initiative)])
        #expect(first.accepted.isEmpty && first.rejected.isEmpty)
        #expect(replica.heldCount == 2)
        let second = replica.apply([create])
        #expect(Set(second.accepted.map(\.id)) == [create.id, adopt.id])
        #expect(second.rejected.map(\.op.id) == [badEdit.id])
        #expect(second.held.isEmpty && replica.heldCount == 0)
        #expect(replica.initiatives[create.initiative]!.adoptionStatuses == [svb.organisation: .piloting])
    }

    @Test mutating func progressFromAnAdopterNeedsItsAdoption() {
        let create = created()
        let withoutAdoption = svb.logProgress(create.initiative, ProgressEntry(date: "2026-11-20", text: "Zomaar"))
        let adopt = svb.adopt(create.initiative, .piloting)
        let progress = svb.logProgress(create.initiative, ProgressEntry(date: "2026-11-21", text: "Pilot gestart"))
        var replica = Replica()
        replica.apply([create, progress])
        #expect(replica.heldCount == 1, "progress waits for the adoption it names")
        let outcome = replica.apply([adopt, withoutAdoption])
        #expect(Set(outcome.accepted.map(\.id)) == [adopt.id, progress.id])
        #expect(outcome.rejected.map(\.rejection.rule) == [.progressNeedsAdoption])
    }

    @Test mutating func progressNamingADroppedAdoptionIsRejected() {
        let create = created()
        let drop = svb.adopt(create.initiative, .dropped)
        let progress = svb.logProgress(create.initiative, ProgressEntry(date: "2026-11-21", text: "Toch"))
        var replica = Replica()
        let outcome = replica.apply([create, drop, progress])
        #expect(outcome.rejected.map(\.op.id) == [progress.id])
    }

    @Test mutating func stoppingNeedsLessonsLearned() {
        let create = created()
        let bare = uwv.setPhase(create.initiative, PhaseValue(.stopped))
        let blank = uwv.setPhase(create.initiative, PhaseValue(.stopped, lessonsLearned: "  "))
        let good = uwv.setPhase(create.initiative, PhaseValue(.stopped, lessonsLearned: "Leverancier viel om"))
        var replica = Replica()
        let outcome = replica.apply([create, bare, blank, good])
        #expect(outcome.rejected.map(\.rejection.message) == Array(repeating: "stopping an initiative needs a lessons-learned text", count: 2))
        #expect(replica.initiatives[create.initiative]!.currentPhase == PhaseValue(.stopped, lessonsLearned: "Leverancier viel om"))
    }

    @Test mutating func aCreateMustCarryItsOwnInitiativeID() throws {
        let forged = Op(id: OpID(origin: uwv.id, seq: 1), hlc: HLCTimestamp(wallMillis: 5, logical: 0), author: uwv.organisation,
                        initiative: InitiativeID(timestamp: HLCTimestamp(wallMillis: 5, logical: 0), node: try NodeID("svb-1")),
                        mutation: .create(InitiativeDraft(title: "Kaping")))
        var replica = Replica()
        #expect(replica.apply([forged]).rejected.first?.rejection.rule == .initiativeIDMismatch)
    }

    @Test mutating func invalidValuesAreRejected() {
        let create = created()
        let badTheme = uwv.add(create.initiative, .themes, "Robotica!")
        let emptyTitle = uwv.setText(create.initiative, .title, " ")
        let badDate = uwv.logProgress(create.initiative, ProgressEntry(date: "29-11-2026", text: "x"))
        var replica = Replica()
        let outcome = replica.apply([create, badTheme, emptyTitle, badDate])
        #expect(outcome.rejected.count == 3)
        #expect(outcome.rejected.allSatisfy { $0.rejection.rule == .invalidValue })
    }

    @Test mutating func rejectedOpsStillAdvanceTheVersionVector() {
        let create = created()
        let bad = svb.setText(create.initiative, .title, "x")
        var replica = Replica()
        replica.apply([create, bad])
        #expect(replica.versionVector[svb.id] == 1)
        #expect(replica.versionVector[uwv.id] == 1)
    }
}
