import Foundation
@testable import kiemctl
import KiemProtocol
import SwiftProtobuf
import Testing

@Suite("What commands print")
struct ReportTests {
    /// 2026-12-01 13:03:00 UTC as a packed HLC value.
    static let hlc: UInt64 = 1_796_130_180_000 << 16 | 3

    static let status = Kiem_V1_StatusResponse.with {
        $0.nodeID = "uwv-1"
        $0.organisation = "uwv"
        $0.role = .agency
        $0.softwareVersion = "kiemd 0.1.0"
        $0.uptimeSeconds = 3_720
        $0.initiativeCount = 12
        $0.opCount = 340
        $0.stateDigest = "ab12cd"
        $0.versionVector = .with {
            $0.entries = [.with { $0.origin = "svb-1"; $0.seq = 140 }, .with { $0.origin = "uwv-1"; $0.seq = 200 }]
        }
        $0.peerCount = 1
        $0.connectedPeerCount = 1
        $0.peers = [.with {
            $0.address = "127.0.0.1:7401"
            $0.nodeID = "svb-1"
            $0.organisation = "svb"
            $0.state = .connected
            $0.lastConnectedMillis = 1_796_130_000_000
            $0.lastSyncedMillis = 1_796_130_180_000
            $0.lagOps = 7
        }]
    }

    @Test("status --json: the documented camelCase keys, role and state as words, the vector as an object")
    func statusJSON() throws {
        let json = try JSONOutput.pretty(StatusReport(Self.status))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["organisation"] as? String == "uwv")
        #expect(object["node"] as? String == "uwv-1")
        #expect(object["role"] as? String == "agency")
        #expect(object["digest"] as? String == "ab12cd")
        #expect(object["initiatives"] as? Int == 12)
        #expect(object["ops"] as? Int == 340)
        #expect(object["versionVector"] as? [String: Int] == ["svb-1": 140, "uwv-1": 200])
        let peers = try #require(object["peers"] as? [[String: Any]])
        #expect(peers.count == 1)
        #expect(peers[0]["organisation"] as? String == "svb")
        #expect(peers[0]["node"] as? String == "svb-1")
        #expect(peers[0]["address"] as? String == "127.0.0.1:7401")
        #expect(peers[0]["state"] as? String == "connected")
        #expect(peers[0]["lagOps"] as? Int == 7)
        #expect(peers[0]["lastSeen"] as? String == "2026-12-01T13:03:00Z")
        // Stable: sorted keys, so the same status prints the same bytes.
        #expect(try JSONOutput.pretty(StatusReport(Self.status)) == json)
    }

    @Test("status as text: the fields, then the peer table")
    func statusText() {
        let text = StatusReport(Self.status).text
        #expect(text.contains("organisation    uwv"))
        #expect(text.contains("role            agency"))
        #expect(text.contains("ops             340 (held 0, rejected 0)"))
        #expect(text.contains("version vector  svb-1:140 uwv-1:200"))
        #expect(text.contains("software        kiemd 0.1.0, up 1h 2m"))
        #expect(text.contains("NODE   ORGANISATION  ADDRESS         STATE      LAST SEEN         LAG"))
        #expect(text.contains("svb-1  svb           127.0.0.1:7401  connected  \(Display.localTime(Date(timeIntervalSince1970: 1_796_130_180)))    7"))
    }

    @Test("status names an equivocating origin and its seq, in text and JSON")
    func statusEquivocation() throws {
        var status = Self.status
        status.equivocations = [.with { $0.origin = "rws-1"; $0.seq = 42 }]
        let report = StatusReport(status)
        #expect(report.text.contains("equivocation    rws-1 signed two different ops with seq 42; its ops are no longer accepted"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try JSONOutput.pretty(report).utf8)) as? [String: Any])
        #expect((object["equivocations"] as? [[String: Any]])?.first?["origin"] as? String == "rws-1")
        #expect(!StatusReport(Self.status).text.contains("equivocation"), "none, no line")
    }

    @Test("status names an origin at its held-op quota, in text and JSON")
    func statusDeferredOrigin() throws {
        var status = Self.status
        status.deferredOrigins = [.with { $0.origin = "sz-9"; $0.seq = 61_234; $0.held = 50_000; $0.quota = 50_000 }]
        let report = StatusReport(status)
        #expect(report.text.contains(
            "held-op quota   sz-9 has 50000 held ops (quota 50000); its ops after seq 61234 are deferred until it is down to half"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try JSONOutput.pretty(report).utf8)) as? [String: Any])
        let deferred = try #require((object["deferredOrigins"] as? [[String: Any]])?.first)
        #expect(deferred["origin"] as? String == "sz-9" && deferred["seq"] as? Int == 61_234)
        #expect(deferred["held"] as? Int == 50_000 && deferred["quota"] as? Int == 50_000)
        #expect(!StatusReport(Self.status).text.contains("held-op quota"), "none, no line")
    }

    @Test("status warns about a certificate within 30 days in text and JSON, lists every certificate, and names the accept policy")
    func statusCertificates() throws {
        let now = Date(timeIntervalSince1970: 1_777_593_600)
        var status = Self.status
        status.accept = .peers
        status.certificates = [
            .with { $0.kind = .node; $0.name = "uwv-1"; $0.notValidAfterUnix = 1_777_593_600 + 10 * 86_400 },
            .with { $0.kind = .ca; $0.name = "CN=Kiem"; $0.notValidAfterUnix = 1_777_593_600 + 3_000 * 86_400 },
            .with { $0.kind = .peer; $0.name = "svb-1"; $0.notValidAfterUnix = 1_777_593_600 - 86_400 },
        ]
        let report = StatusReport(status, now: now)
        #expect(report.text.contains("accept          peers (only the listed peers may dial in)"))
        #expect(report.text.contains("warning         this node's certificate (uwv-1) expires in 10 days, at 2026-05-11T00:00:00Z; "))
        #expect(report.text.contains("warning         peer svb-1's certificate expired 1 day ago, at 2026-04-30T00:00:00Z; "))
        #expect(!report.text.contains("CN=Kiem"), "the CA has years left: no warning")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try JSONOutput.pretty(report).utf8)) as? [String: Any])
        #expect((object["warnings"] as? [String])?.count == 2)
        let certificates = try #require(object["certificates"] as? [[String: Any]])
        #expect(certificates.map { $0["kind"] as? String } == ["node", "ca", "peer"])
        #expect(certificates[0]["secondsLeft"] as? Int == 10 * 86_400)
        #expect(certificates[0]["notValidAfter"] as? String == "2026-05-11T00:00:00Z")
        #expect(object["accept"] as? String == "peers")
        #expect(!StatusReport(Self.status).text.contains("warning"), "no certificates reported, no warning")
    }

    @Test("peers remove says what it did and what it did not: under members the node can still dial in")
    func removedPeer() {
        let members = RemovedPeer(peer: "svb-1", response: .with { $0.removed = true; $0.accept = .members })
        #expect(members.mayStillDialIn)
        #expect(members.text.contains("It can still dial in and sync"))
        let peers = RemovedPeer(peer: "svb-1", response: .with { $0.removed = true; $0.accept = .peers; $0.closedConnections = 1 })
        #expect(!peers.mayStillDialIn)
        #expect(peers.text.hasPrefix("removed peer svb-1: this node no longer dials it, closed 1 connection it had opened, "
            + "and refuses it from now on (accept = \"peers\")."))
        #expect(peers.text.contains("Its certificate stays valid"))
    }

    @Test("overview: a list the node cut at --limit says how many it holds")
    func overviewLimitedList() throws {
        let response = Kiem_V1_OverviewResponse.with {
            $0.stalledAfterDays = 90
            $0.stalled = [.with { $0.initiative = .with { $0.id = "A"; $0.title = "Stil"; $0.owner = "uwv" }; $0.daysSinceMovement = 120 }]
            $0.stalledTotal = 44_553
            $0.stopped = [.with { $0.initiative = .with { $0.id = "B"; $0.title = "Gestopt"; $0.owner = "svb" }; $0.lessonsLearned = "Te vroeg" }]
            $0.stoppedTotal = 1
        }
        let report = OverviewReport(response)
        #expect(report.text.contains("stalled (no movement in 90 days): the first 1 of 44553 (--limit)"))
        #expect(report.text.contains("stopped, with lessons learned\n"), "complete: no count")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try JSONOutput.pretty(report).utf8)) as? [String: Any])
        #expect((object["totals"] as? [String: Int])?["stalled"] == 44_553)
    }

    @Test("local times are yyyy-MM-dd HH:mm; HLC values carry milliseconds in their high 48 bits")
    func times() throws {
        let date = try #require(Display.date(hlc: Self.hlc))
        #expect(Display.localTime(date, timeZone: TimeZone(identifier: "Europe/Amsterdam")!) == "2026-12-01 14:03")
        #expect(Display.date(hlc: 0) == nil)
        #expect(Display.cell(nil) == "never")
        #expect(StatusReport.duration(42) == "42s")
        #expect(StatusReport.duration(90_000) == "1d 1h")
    }

    @Test("show: a field with concurrent values names them and their authors; adopters, lineage and progress follow")
    func initiativeText() {
        let initiative = Kiem_V1_Initiative.with {
            $0.id = "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA"
            $0.owner = "uwv"
            $0.derivedFrom = "01JD5B2Y6Q3T9K8ZJ7M4X0R1VB"
            $0.title = .with {
                $0.value = "Chatbot"
                $0.concurrent = [.with { $0.value = "Chatbot WW"; $0.written = .with { $0.author = "svb"; $0.hlc = Self.hlc } }]
            }
            $0.phase = .with { $0.phase = .pilot }
            $0.themes = ["ai", "dienstverlening"]
            $0.adoptions = [.with { $0.organisation = "svb"; $0.status = .piloting; $0.note = "Utrecht" }]
            $0.endorsements = [.with { $0.organisation = "rws"; $0.endorsed = true }]
            $0.progress = [.with {
                $0.date = "2026-03-01"
                $0.text = "500 gesprekken"
                $0.metrics = [.with { $0.name = "gesprekken"; $0.value = 500 }]
                $0.written = .with { $0.author = "uwv" }
            }]
        }
        let parent = Kiem_V1_Initiative.with {
            $0.owner = "svb"
            $0.title = .with { $0.value = "Vraagbaak" }
        }
        let detail = InitiativeDetail(initiative, parent: parent)
        #expect(detail.concurrent == [.init(field: "title", value: "Chatbot WW", author: "svb", time: Display.date(hlc: Self.hlc))])
        let text = detail.text
        #expect(text.contains("title         Chatbot  (concurrent: Chatbot WW by svb)"), "\(text)")
        #expect(text.contains("phase         pilot"))
        #expect(text.contains("themes        ai, dienstverlening"))
        #expect(text.contains("derived from  01JD5B2Y6Q3T9K8ZJ7M4X0R1VB \"Vraagbaak\" (svb)"))
        #expect(text.contains("svb           piloting"))
        #expect(text.contains("rws           yes"))
        #expect(text.contains("2026-03-01  uwv  500 gesprekken  gesprekken=500"))
        #expect(!text.contains("summary"), "empty fields are left out")
    }

    @Test("sync without a terminal: stage lines, a long pull every tenth, then a summary that counts failures")
    func syncPlain() {
        var printer = SyncProgressPrinter(isTerminal: false)
        var output = ""
        output += printer.receive(Self.progress("svb-1", .connecting))
        output += printer.receive(Self.progress("svb-1", .pulling, received: 0, expected: 5_000))
        for received in stride(from: 100, through: 5_000, by: 100) {
            output += printer.receive(Self.progress("svb-1", .pulling, received: UInt64(received), expected: 5_000))
        }
        output += printer.receive(Self.progress("rws-1", .connecting))
        output += printer.receive(Self.progress("rws-1", .failed, error: "connection refused"))
        output += printer.receive(Self.progress("svb-1", .done, received: 5_000, expected: 5_000))
        output += printer.finish()
        let lines = output.split(separator: "\n")
        #expect(lines.first == "svb-1  connecting")
        #expect(lines.filter { $0.hasPrefix("svb-1  pulling") }.count == 11, "\(output)")
        #expect(lines.contains("svb-1  pulling 2500/5000 ops (50%)"))
        #expect(lines.contains("rws-1  failed: connection refused"))
        #expect(lines.last == "svb-1  done: received 5000, sent 0 ops")
        #expect(!output.contains("\r"))
        let summary = printer.summary
        #expect(summary.peers.map(\.state) == ["done", "failed"])
        #expect(summary.text == "synced with 1 of 2 peers; received 5000 ops, sent 0")
    }

    @Test("sync on a terminal: the progress line is rewritten in place and closed before the next line")
    func syncTerminal() {
        var printer = SyncProgressPrinter(isTerminal: true)
        let first = printer.receive(Self.progress("svb-1", .pulling, received: 10, expected: 2_000))
        let second = printer.receive(Self.progress("svb-1", .pulling, received: 20, expected: 2_000))
        let done = printer.receive(Self.progress("svb-1", .done, received: 2_000, expected: 2_000))
        #expect(first == "\rsvb-1  pulling 10/2000 ops (0%)\u{1B}[K")
        #expect(second == "\rsvb-1  pulling 20/2000 ops (1%)\u{1B}[K")
        #expect(done == "\nsvb-1  done: received 2000, sent 0 ops\n")
        #expect(printer.finish() == "")
        #expect(SyncProgressPrinter(isTerminal: true, showsProgress: false).summary.text == "no peers to sync with")
    }

    static func progress(
        _ peer: String, _ stage: Kiem_V1_SyncProgress.Stage, received: UInt64 = 0, expected: UInt64 = 0, error: String = ""
    ) -> Kiem_V1_SyncProgress {
        .with {
            $0.peer = peer
            $0.stage = stage
            $0.opsReceived = received
            $0.opsExpected = expected
            $0.error = error
        }
    }
}
