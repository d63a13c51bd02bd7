import KiemCore
@testable import KiemNode
import Testing

@Suite("sync admission")
struct SyncAdmissionTests {
    let uwv = try! NodeID("uwv-1")
    let svb = try! NodeID("svb-1")

    @Test("a peer gets at most its share; others still get in; releasing makes room")
    func perPeer() throws {
        var admission = SyncAdmission(limits: .init(perPeer: 2, total: 10))
        try admission.admit(uwv)
        try admission.admit(uwv)
        #expect(throws: SyncAdmission.Refusal.peerLimit(uwv, 2)) { try admission.admit(uwv) }
        try admission.admit(svb)
        admission.release(uwv)
        try admission.admit(uwv)
        #expect(admission.total == 3)
    }

    @Test("the total bounds all peers together; a release of a call never admitted changes nothing")
    func total() throws {
        var admission = SyncAdmission(limits: .init(perPeer: 5, total: 3))
        try admission.admit(uwv)
        try admission.admit(svb)
        try admission.admit(svb)
        #expect(throws: SyncAdmission.Refusal.totalLimit(3)) { try admission.admit(try NodeID("rws-1")) }
        admission.release(try NodeID("rws-1"))
        #expect(admission.total == 3)
        admission.release(svb)
        admission.release(svb)
        admission.release(svb)
        #expect(admission.total == 1 && admission.running == [uwv: 1])
    }
}
