import KiemCore
import KiemTestSupport
import Testing

@Suite struct RegisterAndSetTests {
    let a = try! NodeID("uwv-1")
    let b = try! NodeID("uwv-2")

    func write(_ value: String, _ hlc: UInt64, _ node: NodeID, _ seq: UInt64) -> RegisterWrite<String> {
        RegisterWrite(value: value, hlc: HLCTimestamp(rawValue: hlc), op: OpID(origin: node, seq: seq))
    }

    @Test func concurrentWritesStayVisibleAndTheLaterWins() {
        var register = MultiValueRegister<String>()
        let base = write("base", 10, a, 1)
        register.apply(base, supersedes: [])
        register.apply(write("from a", 20, a, 2), supersedes: [base.op])
        register.apply(write("from b", 30, b, 1), supersedes: [base.op])
        #expect(register.value == "from b")
        #expect(register.isContested)
        #expect(register.writesByPrecedence.map(\.value) == ["from b", "from a"])
    }

    @Test func aWriteThatSawBothResolvesTheConflict() {
        var register = MultiValueRegister<String>()
        let x = write("x", 20, a, 2)
        let y = write("y", 30, b, 1)
        register.apply(x, supersedes: [])
        register.apply(y, supersedes: [])
        register.apply(write("z", 40, a, 3), supersedes: [x.op, y.op])
        #expect(register.value == "z")
        #expect(!register.isContested)
    }

    @Test func aSupersededWriteArrivingLateStaysHidden() {
        var register = MultiValueRegister<String>()
        let old = write("old", 10, a, 1)
        register.apply(write("new", 20, b, 1), supersedes: [old.op])
        #expect(register.apply(old, supersedes: []) == false)
        #expect(register.visible.map(\.value) == ["new"])
    }

    @Test func equalTimestampsBreakTiesByNode() {
        var register = MultiValueRegister<String>()
        register.apply(write("b wins", 10, b, 1), supersedes: [])
        register.apply(write("a loses", 10, a, 1), supersedes: [])
        #expect(register.value == "b wins")
    }

    @Test func aConcurrentAddWinsOverARemove() {
        var set = AddWinsSet()
        let first = OpID(origin: a, seq: 1)
        let concurrent = OpID(origin: b, seq: 1)
        set.add("ai", tag: first)
        set.remove("ai", tags: [first])
        #expect(!set.contains("ai"))
        set.add("ai", tag: concurrent)
        #expect(set.elements == ["ai"])
    }

    @Test func aRemoveArrivingBeforeItsAddStillRemovesIt() {
        var set = AddWinsSet()
        let tag = OpID(origin: a, seq: 1)
        set.remove("mpc", tags: [tag])
        set.add("mpc", tag: tag)
        #expect(set.elements.isEmpty)
    }

    @Test func removingOneElementOfACreationKeepsTheOthersItTagged() {
        var set = AddWinsSet()
        let creation = OpID(origin: a, seq: 1)
        for theme in ["data", "mpc", "privacy"] { set.add(theme, tag: creation) }
        set.remove("data", tags: set.liveTags(of: "data"))
        #expect(set.elements == ["mpc", "privacy"])
        #expect(set.liveTags(of: "mpc") == [creation])
    }

    @Test func concurrentTitlesAreVisibleOnTheInitiative() {
        var uwv1 = SimulatedNode("uwv-1", organisation: "uwv")
        var uwv2 = SimulatedNode("uwv-2", organisation: "uwv")
        let create = uwv1.create(InitiativeDraft(title: "Start"))
        uwv2.receive([create])
        let one = uwv1.setText(create.initiative, .title, "Eén")
        uwv2.advance(millis: 5)
        let two = uwv2.setText(create.initiative, .title, "Twee")
        var replica = Replica()
        replica.apply([create, two, one])
        let title = replica.initiatives[create.initiative]!.texts[.title]
        #expect(title.value == "Twee")
        #expect(title.writesByPrecedence.map(\.value) == ["Twee", "Eén"])
    }

    @Test func progressIsOrderedByTimeWhateverTheArrivalOrder() {
        var uwv = SimulatedNode("uwv-1", organisation: "uwv")
        let create = uwv.create(InitiativeDraft(title: "Robotica"))
        let first = uwv.logProgress(create.initiative, ProgressEntry(date: "2026-11-01", text: "een"))
        let second = uwv.logProgress(create.initiative, ProgressEntry(date: "2026-11-02", text: "twee"))
        var replica = Replica()
        replica.apply([second, create, first, second])
        #expect(replica.initiatives[create.initiative]!.progress.map(\.entry.text) == ["een", "twee"])
    }
}

extension RegisterAndSetTests {
    @Test func aLateSupersededWriteStillHidesWhatItSuperseded() {
        let w1 = write("one", 10, a, 1)
        let w2 = write("two", 20, a, 2)
        let w3 = write("three", 30, b, 1)
        var forward = MultiValueRegister<String>()
        forward.apply(w1, supersedes: [])
        forward.apply(w2, supersedes: [w1.op])
        forward.apply(w3, supersedes: [w2.op])
        var backward = MultiValueRegister<String>()
        backward.apply(w3, supersedes: [w2.op])
        backward.apply(w2, supersedes: [w1.op])
        backward.apply(w1, supersedes: [])
        #expect(forward.visible == backward.visible)
        #expect(backward.visible.map(\.value) == ["three"])
    }
}
