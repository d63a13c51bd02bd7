import KiemCore
import KiemTestSupport
import Testing

/// Annotations: each organisation's own portfolio label and priority on an
/// initiative, replicated like any register, and what the overview makes of
/// them.
@Suite struct AnnotationTests {
    var uwv = SimulatedNode("uwv-1", organisation: "uwv")
    var regie = SimulatedNode("regie-1", organisation: "regie")
    var regie2 = SimulatedNode("regie-2", organisation: "regie")

    mutating func created() -> Op {
        let op = uwv.create(InitiativeDraft(title: "Veilig data delen met MPC", themes: ["mpc"]))
        regie.receive([op])
        regie2.receive([op])
        return op
    }

    @Test mutating func anyOrganisationAnnotatesInItsOwnNamespace() {
        let create = created()
        let id = create.initiative
        let byRegie = regie.annotate(id, Annotation(label: "werkagenda-2027", priority: .high, note: "Opschalen"))
        let byOwner = uwv.annotate(id, Annotation(label: "eigen-programma"))
        var replica = Replica()
        let outcome = replica.apply([create, byRegie, byOwner])
        #expect(outcome.rejected.isEmpty && outcome.accepted.count == 3)
        let initiative = replica.initiatives[id]!
        #expect(initiative.currentAnnotations == [
            regie.organisation: Annotation(label: "werkagenda-2027", priority: .high, note: "Opschalen"),
            uwv.organisation: Annotation(label: "eigen-programma"),
        ])
        #expect(initiative.title == "Veilig data delen met MPC" && initiative.currentPhase.phase == .idea,
                "annotating leaves the owner's fields alone")
    }

    @Test mutating func concurrentAnnotationsOfOneOrganisationStayVisible() {
        let create = created()
        let id = create.initiative
        let first = regie.annotate(id, Annotation(label: "versnellen"))
        regie2.advance(millis: 5)
        let second = regie2.annotate(id, Annotation(label: "werkagenda-2027", priority: .high))
        var inOrder = Replica()
        inOrder.apply([create, first, second])
        var reversed = Replica()
        reversed.apply([second, create, first])
        #expect(inOrder.digest == reversed.digest)
        let register = inOrder.initiatives[id]!.annotations[regie.organisation]!
        #expect(register.isContested)
        #expect(register.value == Annotation(label: "werkagenda-2027", priority: .high), "the later write wins")
        #expect(Set(register.visible.map(\.value.label)) == ["versnellen", "werkagenda-2027"])

        // A write that saw both replaces both.
        regie.receive([second])
        let settled = regie.annotate(id, Annotation(label: "werkagenda-2027"))
        inOrder.apply([settled])
        #expect(!inOrder.initiatives[id]!.annotations[regie.organisation]!.isContested)
    }

    @Test mutating func clearingAnAnnotationRemovesItFromTheWinningValues() {
        let create = created()
        let id = create.initiative
        let set = regie.annotate(id, Annotation(label: "versnellen", priority: .high))
        let cleared = regie.annotate(id, Annotation())
        var replica = Replica()
        replica.apply([create, set])
        let annotated = replica.initiatives[id]!
        replica.apply([cleared])
        let clearedInitiative = replica.initiatives[id]!
        #expect(annotated.currentAnnotations.count == 1)
        #expect(clearedInitiative.currentAnnotations.isEmpty)
        #expect(PortfolioEntry(clearedInitiative).annotations.isEmpty)
        #expect(annotated.visibleStateBytes != clearedInitiative.visibleStateBytes)
    }

    @Test mutating func annotationsAreVisibleStateOnlyOnceWritten() {
        let create = created()
        var replica = Replica()
        replica.apply([create])
        let before = replica.initiatives[create.initiative]!.visibleStateBytes
        replica.apply([regie.annotate(create.initiative, Annotation(priority: .low))])
        let after = replica.initiatives[create.initiative]!.visibleStateBytes
        // Unannotated state ends with the progress list; the annotations
        // follow it only once one was written.
        #expect(Array(after.prefix(before.count)) == before)
        #expect(after.count > before.count)
    }

    @Test mutating func malformedLabelsAndNotesAreRefused() {
        let create = created()
        let badLabel = regie.annotate(create.initiative, Annotation(label: "Werkagenda 2027"))
        let longNote = regie.annotate(create.initiative, Annotation(note: String(repeating: "x", count: 2_001)))
        var replica = Replica()
        let outcome = replica.apply([create, badLabel, longNote])
        #expect(outcome.rejected.map(\.rejection.rule) == [.invalidValue, .invalidValue])
        #expect(outcome.rejected.map(\.rejection.message) == [
            "label 'Werkagenda 2027' must be 1 to 40 lowercase letters, digits or '-'",
            "note is longer than 2000 bytes",
        ])
        #expect(replica.initiatives[create.initiative]!.annotations.isEmpty)
    }

    @Test mutating func portfolioEntriesCarryAnnotationsAndReadTheOlderEncoding() throws {
        let create = created()
        var replica = Replica()
        replica.apply([create, regie.annotate(create.initiative, Annotation(label: "werkagenda-2027", priority: .high, note: "ja"))])
        let entry = PortfolioEntry(replica.initiatives[create.initiative]!)
        #expect(entry.annotations.values.map(\.label) == ["werkagenda-2027"])
        #expect(try PortfolioEntry(canonicalBytes: entry.canonicalBytes) == entry)

        // KPE1, written before annotations and active days were kept: the
        // same fields without the two trailing lists. Its active days are
        // the days of its timestamps, here the one day of its creation.
        var unannotated = Replica()
        unannotated.apply([create])
        let plain = PortfolioEntry(unannotated.initiatives[create.initiative]!)
        #expect(plain.activeDays == [create.hlc.day])
        var older = plain.canonicalBytes
        let day = create.hlc.day
        #expect(older.suffix(12) == [0, 0, 0, 0, 0, 0, 0, 1, UInt8(day >> 24), UInt8(day >> 16 & 255), UInt8(day >> 8 & 255), UInt8(day & 255)],
                "no annotations, one active day")
        older.removeLast(12)
        older.replaceSubrange(0..<4, with: Array("KPE1".utf8))
        #expect(try PortfolioEntry(canonicalBytes: older) == plain)
        var unknown = entry.canonicalBytes
        unknown.replaceSubrange(0..<4, with: Array("KPE9".utf8))
        #expect(throws: CanonicalDecodingError.self) { try PortfolioEntry(canonicalBytes: unknown) }
    }

    @Test func theOverviewGroupsByLabelAndListsPriorities() {
        let regie = try! OrganisationID("regie")
        let uwv = OverviewTests.uwv
        let agenda = Annotation(label: "werkagenda-2027", priority: .high)
        let entries = [
            OverviewTests.entry(1, phase: .pilot, daysAgo: 10, annotations: [regie: agenda]),
            OverviewTests.entry(2, phase: .proven, daysAgo: 40, annotations: [regie: agenda, uwv: Annotation(label: "eigen")]),
            OverviewTests.entry(3, phase: .pilot, annotations: [regie: Annotation(label: "werkagenda-2027")]),
            OverviewTests.entry(4, phase: .idea, annotations: [regie: Annotation(priority: .high)]),
            OverviewTests.entry(5, phase: .idea),
            OverviewTests.entry(6, phase: .idea, isArchived: true, annotations: [regie: agenda]),
        ]
        let overview = OverviewTests.overview(entries)
        #expect(overview.labels.map { "\($0.organisation)/\($0.label)" } == ["regie/werkagenda-2027", "uwv/eigen"])
        let agendaRow = overview.labels[0]
        #expect(agendaRow.byPhase[.pilot] == 2 && agendaRow.byPhase[.proven] == 1 && agendaRow.byPhase.total == 3)
        #expect(agendaRow.highPriority == 2)
        // Marked high by the regie, the one that moved longest ago first; the
        // archived one is not covered.
        #expect(overview.prioritised.map(\.entry.id) == [OverviewTests.id(2), OverviewTests.id(1), OverviewTests.id(4)])
        #expect(overview.prioritised.allSatisfy { $0.organisation == regie })
        #expect(overview.prioritised.map(\.daysSinceMovement) == [40, 10, 1])

        let filtered = OverviewTests.overview(entries, filter: OverviewFilter(labels: ["eigen"]))
        #expect(filtered.total == 1 && filtered.byPhase[.proven] == 1)
    }
}
