import KiemCore
import Testing

@Suite struct IdentifierTests {
    @Test(arguments: ["uwv", "belastingdienst", "rws-2", "a1"])
    func acceptsSlugs(_ slug: String) throws {
        #expect(try OrganisationID(slug).rawValue == slug)
        #expect(try NodeID(slug).rawValue == slug)
    }

    @Test(arguments: ["", "u", "UWV", "1uwv", "uwv-", "uw v", "uwv_1", "ùwv", String(repeating: "a", count: 33)])
    func refusesBadOrganisationSlugs(_ slug: String) {
        #expect(throws: IdentifierError.self) { try OrganisationID(slug) }
    }

    @Test func errorSaysWhatIsWrong() {
        #expect(throws: IdentifierError(kind: "organisation id", input: "UWV", reason: "must start with a lowercase letter")) {
            try OrganisationID("UWV")
        }
    }

    @Test func initiativeIDRoundTripsThroughText() throws {
        let id = InitiativeID(timestamp: HLCTimestamp(wallMillis: 1_764_400_000_000, logical: 7), node: try NodeID("uwv-1"))
        let text = id.description
        #expect(text.count == 26)
        #expect(try InitiativeID(text) == id)
        #expect(try InitiativeID(text.lowercased()) == id)
    }

    @Test func initiativeIDsAreTimeOrderedAndDifferPerNode() throws {
        let early = HLCTimestamp(wallMillis: 1_000, logical: 0)
        let late = HLCTimestamp(wallMillis: 2_000, logical: 0)
        let a = InitiativeID(timestamp: early, node: try NodeID("uwv-1"))
        let b = InitiativeID(timestamp: late, node: try NodeID("svb-1"))
        #expect(a < b)
        #expect(a.description < b.description)
        #expect(InitiativeID(timestamp: early, node: try NodeID("svb-1")) != a)
    }

    @Test(arguments: ["", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVU", "81ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAU"])
    func refusesBadInitiativeIDs(_ text: String) {
        #expect(throws: IdentifierError.self) { try InitiativeID(text) }
    }
}
