import Foundation
import KiemConfiguration
import KiemNode
import KiemTestSupport
import Testing

/// Every node command of the real `kiemctl` binary against two real kiemd
/// processes (uwv-1 and svb-1), in text and in JSON, and their failures.
@Suite("kiemctl against two kiemd processes", .serialized, .twoNodes, .timeLimit(.minutes(5)))
struct KiemctlCommandTests {
    let federation: TwoNodeFederation
    var uwv: KiemdProcess { federation.uwv }
    var svb: KiemdProcess { federation.svb }

    init() throws {
        federation = try #require(TwoNodeFederation.current, "the suite runs without its federation")
    }

    @Test("doctor: a healthy node passes every check (exit 0), in text and JSON")
    func doctor() async throws {
        try await uwv.waitForLog("a sync session with svb-1") { line in
            line.contains("kiem.peer=svb-1 ") && line.hasSuffix("sync session opened")
        }
        let text = try await uwv.kiemctl("doctor", "--config", uwv.configurationPath)
        #expect(text.status == 0, "\(text)")
        for check in ["configuration", "key", "certificate", "CA certificate", "disk", "database", "control socket", "peer svb-1"] {
            #expect(text.stdout.split(separator: "\n").contains {
                ($0.hasPrefix("ok ") || $0.hasPrefix("warn ")) && $0.dropFirst(6).hasPrefix(check)
            }, "\(check): \(text.stdout)")
        }
        #expect(text.stdout.contains("passes PRAGMA quick_check"))
        let json = try await uwv.kiemctlJSON("doctor", "--config", uwv.configurationPath)
        #expect(json["healthy"] as? Bool == true)
    }

    @Test("status: identity, counts and the connected peer in text and JSON; after a write both nodes show the same digest")
    func statusAndConvergence() async throws {
        for (node, peer) in [(uwv, "svb-1"), (svb, "uwv-1")] {
            try await node.waitForLog("a sync session with \(peer)") { line in
                line.contains("kiem.peer=\(peer) ") && line.hasSuffix("sync session opened")
            }
        }
        let id = try await create("Digest check", on: uwv)
        try await federation.synchronise()
        let digest = try #require(try await svb.kiemctlJSON("status")["digest"] as? String)

        let status = try await uwv.kiemctlJSON("status")
        #expect(status["organisation"] as? String == "uwv")
        #expect(status["node"] as? String == "uwv-1")
        #expect(status["role"] as? String == "agency")
        #expect(status["digest"] as? String == digest, "the converged digests are equal")
        #expect((status["initiatives"] as? Int ?? 0) >= 1)
        #expect((status["ops"] as? Int ?? 0) >= 1)
        #expect((status["versionVector"] as? [String: Int])?["uwv-1"] ?? 0 >= 1)
        let peer = try #require((status["peers"] as? [[String: Any]])?.first)
        #expect(peer["organisation"] as? String == "svb")
        #expect(peer["node"] as? String == "svb-1")
        #expect(peer["address"] as? String == svb.configuration.listen.description)
        #expect(peer["lastSeen"] is String)
        #expect(peer["lagOps"] is Int)

        let text = try await uwv.kiemctl("status")
        #expect(text.status == 0, "\(text)")
        for expected in ["organisation", "uwv-1", "agency", digest, "NODE", "LAST SEEN", "svb-1", "connected"] {
            #expect(text.stdout.contains(expected), "status lacks \(expected): \(text)")
        }
        let shown = try await svb.kiemctl("initiative", "show", id)
        #expect(shown.stdout.contains("Digest check"), "the write reached svb-1: \(shown)")
    }

    @Test("create, edit, phase, progress, show, list, search, history, archive: text and JSON")
    func initiativeLifecycle() async throws {
        let created = try await uwv.kiemctl(
            "initiative", "create", "--title", "Chatbot voor werkzoekenden", "--summary", "Vragen over de WW",
            "--description", "Een chatbot", "--theme", "ai", "--theme", "dienstverlening", "--phase", "experiment",
            "--contact", "innovatie@uwv.example", "--funding", "eigen budget", "--link", "https://example.nl/plan.pdf Plan")
        #expect(created.status == 0, "\(created)")
        let id = try #require(created.stdout.split(separator: " ").dropFirst().first.map(String.init), "\(created)")
        #expect(created.stdout.hasPrefix("created \(id) \"Chatbot voor werkzoekenden\" (experiment); op uwv-1:"))

        let edited = try await uwv.kiemctlJSON("initiative", "edit", id, "--summary", "Vragen over WW en WIA",
                                               "--add-theme", "wia", "--remove-theme", "dienstverlening")
        let afterEdit = try #require(edited["initiative"] as? [String: Any])
        #expect(edited["action"] as? String == "edited")
        #expect(afterEdit["summary"] as? String == "Vragen over WW en WIA")
        #expect(afterEdit["themes"] as? [String] == ["ai", "wia"])

        let phase = try await uwv.kiemctl("initiative", "phase", id, "pilot")
        #expect(phase.stdout.contains("moved to pilot \(id)") && phase.stdout.contains("(pilot)"), "\(phase)")
        let progress = try await uwv.kiemctlJSON("initiative", "progress", id, "--text", "500 gesprekken gevoerd",
                                                 "--date", "2026-03-01", "--metric", "gesprekken=500", "--metric", "tevredenheid=7.8/10")
        let entries = try #require((progress["initiative"] as? [String: Any])?["progress"] as? [[String: Any]])
        #expect(entries.first?["date"] as? String == "2026-03-01")
        #expect((entries.first?["metrics"] as? [[String: Any]])?.count == 2)

        let show = try await uwv.kiemctl("initiative", "show", id)
        for expected in ["Chatbot voor werkzoekenden", "pilot", "Vragen over WW en WIA", "ai, wia", "https://example.nl/plan.pdf",
                         "innovatie@uwv.example", "2026-03-01", "500 gesprekken gevoerd", "gesprekken=500"] {
            #expect(show.stdout.contains(expected), "show lacks \(expected): \(show)")
        }
        let detail = try await uwv.kiemctlJSON("initiative", "show", id)
        #expect(detail["id"] as? String == id)
        #expect(detail["owner"] as? String == "uwv")
        #expect(detail["phase"] as? String == "pilot")
        #expect((detail["links"] as? [[String: Any]])?.first?["url"] as? String == "https://example.nl/plan.pdf")

        let list = try await uwv.kiemctl("initiative", "list", "--theme", "wia", "--phase", "pilot", "--owner", "uwv")
        #expect(list.stdout.split(separator: "\n").first?.hasPrefix("ID") == true)
        #expect(list.stdout.contains(id) && list.stdout.contains("Chatbot voor werkzoekenden"), "\(list)")
        let none = try await uwv.kiemctlJSON("initiative", "list", "--theme", "wia", "--phase", "idea")
        #expect(none["count"] as? Int == 0)
        let found = try await uwv.kiemctlJSON("initiative", "search", "chatbot")
        #expect((found["initiatives"] as? [[String: Any]])?.contains { $0["id"] as? String == id } == true, "\(found)")
        let searched = try await uwv.kiemctl("initiative", "search", "wia werkzoek", "--limit", "5")
        #expect(searched.stdout.contains(id), "every word matches as a prefix, summary and title alike: \(searched)")

        let history = try await uwv.kiemctl("initiative", "history", id)
        for expected in ["TIME", "AUTHOR", "KIND", "DESCRIPTION", "create", "phase", "progress", "uwv"] {
            #expect(history.stdout.contains(expected), "history lacks \(expected): \(history)")
        }
        let historyJSON = try await uwv.kiemctlJSON("initiative", "history", id)
        let kinds = (historyJSON["entries"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        #expect(kinds.first == "create" && kinds.contains("phase") && kinds.contains("progress"), "\(kinds)")

        let archived = try await uwv.kiemctl("initiative", "archive", id)
        #expect(archived.stdout.hasPrefix("archived \(id)"), "\(archived)")
        #expect(try await uwv.kiemctl("initiative", "list", "--theme", "wia").stdout.contains(id) == false)
        #expect(try await uwv.kiemctl("initiative", "list", "--theme", "wia", "--archived").stdout.contains("(archived)"))
        let restored = try await uwv.kiemctlJSON("initiative", "archive", id, "--restore")
        #expect((restored["initiative"] as? [String: Any])?["archived"] as? Bool == false)
    }

    @Test("svb adopts uwv's initiative with a fork and endorses it; uwv shows the adopter, the endorsement and the lineage")
    func adoptionAcrossOrganisations() async throws {
        let id = try await create("Digitale brief", on: uwv, "--theme", "post")
        try await federation.synchronise()
        let fork = try await svb.kiemctl("initiative", "adopt", id, "--status", "piloting", "--note", "in Utrecht", "--fork")
        #expect(fork.status == 0, "\(fork)")
        let lines = fork.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("piloting with \(id)") == true, "\(fork)")
        let forkID = try #require(lines.last?.split(separator: " ").dropFirst(2).first.map(String.init), "\(fork)")
        #expect(lines.last?.contains("\"Digitale brief\"") == true && lines.last?.hasSuffix("derived from \(id)") == true, "\(fork)")

        let forked = try await svb.kiemctlJSON("initiative", "show", forkID)
        #expect(forked["owner"] as? String == "svb")
        #expect(forked["themes"] as? [String] == ["post"])
        let lineage = try #require(forked["derivedFrom"] as? [String: Any])
        #expect(lineage["id"] as? String == id)
        #expect(lineage["owner"] as? String == "uwv")
        let forkText = try await svb.kiemctl("initiative", "show", forkID)
        #expect(forkText.stdout.contains("derived from  \(id) \"Digitale brief\" (uwv)"), "\(forkText)")

        let endorsed = try await svb.kiemctl("initiative", "endorse", id, "--note", "werkt")
        #expect(endorsed.stdout.hasPrefix("endorsed \(id)"), "\(endorsed)")
        try await federation.synchronise()
        let shown = try await uwv.kiemctl("initiative", "show", id)
        for expected in ["adopted by", "svb", "piloting", "in Utrecht", "endorsements", "yes", "werkt"] {
            #expect(shown.stdout.contains(expected), "show lacks \(expected): \(shown)")
        }
        let adopters = try await uwv.kiemctlJSON("initiative", "show", id)
        #expect((adopters["adoptions"] as? [[String: Any]])?.first?["status"] as? String == "piloting")
        #expect(shown.stdout.contains("derived into  \(forkID) \"Digitale brief\" (svb)"), "\(shown)")
        #expect((adopters["derivedInto"] as? [[String: Any]])?.map { $0["id"] as? String } == [forkID])
        let withdrawn = try await svb.kiemctlJSON("initiative", "endorse", id, "--withdraw")
        #expect(((withdrawn["initiative"] as? [String: Any])?["endorsements"] as? [[String: Any]])?.first?["endorsed"] as? Bool == false)
    }

    @Test("refusals: a rule names itself (exit 1), unknown ids and peers are not found (exit 1), invalid input is usage (exit 2)")
    func refusals() async throws {
        let id = try await create("Alleen van uwv", on: uwv)
        try await federation.synchronise()
        let edit = try await svb.kiemctl("initiative", "edit", id, "--title", "Van svb")
        #expect(edit.status == 1, "\(edit)")
        #expect(edit.stderr == "kiemctl: only uwv may edit this initiative\n", "\(edit)")
        let phase = try await svb.kiemctl("initiative", "phase", id, "proven")
        #expect(phase.status == 1 && phase.stderr.contains("uwv"), "\(phase)")
        let ownAdoption = try await uwv.kiemctl("initiative", "adopt", id, "--status", "adopted")
        #expect(ownAdoption.status == 1 && ownAdoption.stderr.hasPrefix("kiemctl: "), "\(ownAdoption)")

        let unknown = "01JD5B2Y6Q3T9K8ZJ7M4X0R1VA"
        for arguments in [["initiative", "show", unknown], ["initiative", "phase", unknown, "pilot"], ["initiative", "history", unknown]] {
            let outcome = try await KiemctlProcess.run(arguments + ["--socket", uwv.socketPath])
            #expect(outcome.status == 1, "\(arguments): \(outcome)")
            #expect(outcome.stderr.hasPrefix("kiemctl: ") && outcome.stderr.contains(unknown), "\(outcome)")
        }
        let sync = try await uwv.kiemctl("sync", "--peer", "nosuch-1")
        #expect(sync.status == 1 && sync.stderr.contains("nosuch-1"), "\(sync)")
        let empty = try await uwv.kiemctl("initiative", "create", "--title", "")
        #expect(empty.status == 2 && empty.stderr.hasPrefix("kiemctl: "), "the node calls an empty title invalid: \(empty)")
    }

    @Test("revocations: pki revoke writes a signed file; a node refuses one from another CA and a file that is no revocation (exit 1), and lists none")
    func revocationsRefused() async throws {
        let folder = try TestPKI.temporaryDirectory("kiemctl-revoke")
        let ca = folder.appendingPathComponent("other-ca").path
        let initCA = try await KiemctlProcess.run(["pki", "init-ca", "--out", ca, "--name", "Een andere federatie"])
        #expect(initCA.status == 0, "\(initCA)")
        let file = folder.appendingPathComponent("svb-1.revocation").path
        let badTime = try await KiemctlProcess.run(
            ["pki", "revoke", "--ca", ca, "--org", "svb", "--node", "svb-1", "--reason", "test", "--at", "gisteren", "--out", file])
        #expect(badTime.status == 2 && badTime.stderr.contains("--at"), "\(badTime)")
        let revoke = try await KiemctlProcess.run(
            ["pki", "revoke", "--ca", ca, "--org", "svb", "--node", "svb-1", "--reason", "sleutel kwijt", "--out", file])
        #expect(revoke.status == 0, "\(revoke)")
        #expect(revoke.stdout.contains("Revocation of node svb-1 of svb from "), "\(revoke)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("-----BEGIN KIEM REVOCATION-----"))

        let foreign = try await uwv.kiemctl("revocations", "add", file)
        #expect(foreign.status == 1, "\(foreign)")
        #expect(foreign.stderr.contains("signature is not the federation CA's"), "\(foreign)")
        let notOne = try await uwv.kiemctl("revocations", "add", uwv.configurationPath)
        #expect(notOne.status == 1 && notOne.stderr.contains("is not a revocation"), "\(notOne)")
        let listed = try await uwv.kiemctl("revocations", "list")
        #expect(listed.status == 0 && listed.stdout == "no revocations\n", "\(listed)")
        let json = try await uwv.kiemctlJSON("revocations", "list")
        #expect((json["revocations"] as? [Any])?.isEmpty == true)
    }

    @Test("peers: list in text and JSON; add a peer at runtime, see it, fail to sync with it (exit 1), remove it; removing it again fails")
    func peers() async throws {
        let list = try await uwv.kiemctl("peers", "list")
        #expect(list.stdout.contains("svb-1") && list.stdout.contains("kiemd.toml") && list.stdout.contains("RECEIVED"), "\(list)")
        let port = try freeLoopbackPort()
        let added = try await uwv.kiemctl("peers", "add", "127.0.0.1:\(port)", "--node", "rws-1", "--org", "rws")
        #expect(added.status == 0 && added.stdout.hasPrefix("added peer rws-1 (rws) at 127.0.0.1:\(port)"), "\(added)")
        let peers = try #require(try await uwv.kiemctlJSON("peers", "list")["peers"] as? [[String: Any]])
        let rws = try #require(peers.first { $0["node"] as? String == "rws-1" }, "\(peers)")
        #expect(rws["addedAtRuntime"] as? Bool == true)
        #expect(["connecting", "backoff", "failed"].contains(rws["state"] as? String ?? ""), "\(rws)")
        let duplicate = try await uwv.kiemctl("peers", "add", "127.0.0.1:\(port)", "--node", "rws-1", "--org", "rws")
        #expect(duplicate.status == 1, "\(duplicate)")
        let failedSync = try await uwv.kiemctl("sync", "--peer", "rws-1")
        #expect(failedSync.status == 1, "nothing listens at rws-1's address: \(failedSync)")
        #expect(failedSync.stdout.contains("rws-1  failed: ") && failedSync.stdout.hasSuffix("synced with 0 of 1 peers; received 0 ops, sent 0\n"),
                "\(failedSync)")
        #expect(failedSync.stderr.hasPrefix("kiemctl: sync with rws-1 failed: "), "\(failedSync)")

        let removed = try await uwv.kiemctl("peers", "remove", "rws-1")
        #expect(removed.status == 0 && removed.stdout == """
            removed peer rws-1: this node no longer dials it.
            It can still dial in and sync: accept = "members" admits any node with a valid federation certificate. \
            To refuse it, set accept = "peers" in kiemd.toml and restart kiemd.

            """, "\(removed)")
        let after = try await uwv.kiemctlJSON("peers", "list")
        #expect((after["peers"] as? [[String: Any]])?.map { $0["node"] as? String } == ["svb-1"])
        let again = try await uwv.kiemctl("peers", "remove", "rws-1")
        #expect(again.status == 1 && again.stderr == "kiemctl: no peer rws-1 (see `kiemctl peers list`)\n", "\(again)")
    }

    @Test("watch prints local and remote changes as they happen, one JSON object per line with --json, and exits 0 on Ctrl-C")
    func watch() async throws {
        let existing = try await create("Al bekend", on: uwv, "--theme", "watch")
        for json in [false, true] {
            let watch = try KiemctlProcess(["watch", "--theme", "watch", "--current", "--socket", uwv.socketPath] + (json ? ["--json"] : []))
            try await watch.waitForOutput("the current initiative") { $0.contains(existing) }
            let remote = try await create("Van svb \(json)", on: svb, "--theme", "watch")
            _ = try await uwv.kiemctl("initiative", "phase", existing, json ? "proven" : "pilot")
            let phaseChange = json ? "\"phase\":\"proven\"" : "(uwv, pilot)"
            try await watch.waitForOutput("svb's new initiative and uwv's phase change", seconds: 60) { output in
                output.contains(remote) && output.contains(phaseChange)
            }
            watch.interrupt()
            let outcome = try await watch.finished()
            #expect(outcome.status == 0, "Ctrl-C ends a watch with status 0: \(outcome)")
            let lines = outcome.stdout.split(separator: "\n").map(String.init)
            if json {
                let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)") }
                #expect(events.contains { $0["kind"] as? String == "current" && $0["initiative"] as? String == existing })
                #expect(events.contains { $0["kind"] as? String == "create" && $0["remote"] as? Bool == true && $0["owner"] as? String == "svb" })
                #expect(events.contains { $0["kind"] as? String == "phase" && $0["phase"] as? String == "proven" })
            } else {
                #expect(lines.contains { $0.contains("create") && $0.contains(remote) && $0.hasSuffix("from svb-1") }, "\(outcome)")
                #expect(lines.contains { $0.contains("phase") && $0.contains("(uwv, pilot)") && $0.hasSuffix("local") }, "\(outcome)")
            }
        }
    }

    @Test("sync with every peer or one: per-peer stages and a summary, in text and JSON")
    func sync() async throws {
        let all = try await uwv.kiemctl("sync")
        #expect(all.status == 0, "\(all)")
        #expect(all.stdout.contains("svb-1  done: received"), "\(all)")
        #expect(all.stdout.split(separator: "\n").last?.hasPrefix("synced with 1 of 1 peers; received ") == true, "\(all)")
        let one = try await svb.kiemctlJSON("sync", "--peer", "uwv-1")
        let peers = try #require(one["peers"] as? [[String: Any]])
        #expect(peers.map { $0["peer"] as? String } == ["uwv-1"])
        #expect(peers.first?["state"] as? String == "done")
    }

    @Test("overview: the same phase counts in text, JSON and CSV, stopped work with its lessons, sync health; bad options are usage")
    func overview() async throws {
        let theme = "portefeuille"
        _ = try await create("Overzicht in pilot", on: uwv, "--theme", theme, "--phase", "pilot")
        let stopped = try await create("Overzicht gestopt", on: uwv, "--theme", theme)
        let phase = try await uwv.kiemctl("initiative", "phase", stopped, "stopped", "--lessons", "Te duur, \"te\" vroeg")
        #expect(phase.status == 0, "\(phase)")
        try await federation.synchronise()

        let json = try await svb.kiemctlJSON("overview", "--theme", theme)
        #expect(json["total"] as? Int == 2)
        #expect((json["byPhase"] as? [String: Int])?["pilot"] == 1)
        #expect((json["byPhase"] as? [String: Int])?["stopped"] == 1)
        let lessons = (json["stopped"] as? [[String: Any]])?.map { $0["lessonsLearned"] as? String }
        #expect(lessons == ["Te duur, \"te\" vroeg"])
        #expect((json["syncHealth"] as? [[String: Any]])?.map { $0["node"] as? String } == ["uwv-1"])

        let csv = try await svb.kiemctl("overview", "--theme", theme, "--csv")
        #expect(csv.status == 0, "\(csv)")
        #expect(csv.stdout.hasPrefix("section,name,idea,experiment,pilot,proven,scaling,stopped,total\r\nportfolio,all,0,0,1,0,0,1,2\r\n"), "\(csv)")
        #expect(csv.stdout.contains("theme,portefeuille,0,0,1,0,0,1,2"), "\(csv)")

        let text = try await svb.kiemctl("overview", "--theme", theme)
        #expect(text.status == 0, "\(text)")
        for expected in ["PORTFOLIO", "Overzicht gestopt", "Te duur", "sync health", "uwv-1"] {
            #expect(text.stdout.contains(expected), "overview lacks \(expected): \(text)")
        }
        #expect(try await svb.kiemctl("overview", "--csv", "--json").status == 2)
        #expect(try await svb.kiemctl("overview", "--since", "1 december").status == 2)
    }

    @Test("annotate: svb files uwv's initiative under a label, uwv shows it, the overview groups by label and lists the priority; clear; bad input")
    func annotations() async throws {
        let theme = "regieproef"
        let id = try await create("Samen rekenen", on: uwv, "--theme", theme, "--phase", "pilot")
        try await federation.synchronise()
        let annotated = try await svb.kiemctl(
            "initiative", "annotate", id, "--label", "werkagenda-2027", "--priority", "high", "--note", "Opschalen")
        #expect(annotated.status == 0 && annotated.stdout.hasPrefix("annotated \(id)"), "\(annotated)")
        try await federation.synchronise()

        let shown = try await uwv.kiemctl("initiative", "show", id)
        for expected in ["annotations", "svb", "werkagenda-2027", "high", "Opschalen"] {
            #expect(shown.stdout.contains(expected), "show lacks \(expected): \(shown)")
        }
        let detail = try await uwv.kiemctlJSON("initiative", "show", id)
        let annotation = try #require((detail["annotations"] as? [[String: Any]])?.first, "\(detail)")
        #expect(annotation["organisation"] as? String == "svb" && annotation["priority"] as? String == "high")
        let history = try await uwv.kiemctl("initiative", "history", id)
        #expect(history.stdout.contains("annotated by svb: label werkagenda-2027, priority high"), "\(history)")

        let overview = try await uwv.kiemctlJSON("overview", "--theme", theme, "--label", "werkagenda-2027")
        #expect(overview["total"] as? Int == 1)
        let label = try #require((overview["labels"] as? [[String: Any]])?.first, "\(overview)")
        #expect(label["organisation"] as? String == "svb" && label["label"] as? String == "werkagenda-2027")
        #expect(label["highPriority"] as? Int == 1 && (label["byPhase"] as? [String: Int])?["pilot"] == 1)
        let marked = try #require((overview["prioritised"] as? [[String: Any]])?.first, "\(overview)")
        #expect(marked["id"] as? String == id && marked["markedBy"] as? String == "svb")
        let text = try await uwv.kiemctl("overview", "--theme", theme)
        for expected in ["LABEL", "svb/werkagenda-2027", "high priority", "MARKED BY"] {
            #expect(text.stdout.contains(expected), "overview lacks \(expected): \(text)")
        }
        let csv = try await uwv.kiemctl("overview", "--theme", theme, "--csv")
        #expect(csv.stdout.contains("label,svb/werkagenda-2027,0,0,1,0,0,0,1"), "\(csv)")
        #expect(try await uwv.kiemctlJSON("overview", "--theme", theme, "--label", "anders")["total"] as? Int == 0)

        let cleared = try await svb.kiemctlJSON("initiative", "annotate", id, "--clear")
        #expect((cleared["initiative"] as? [String: Any])?["annotations"] as? [Any] == nil
                || ((cleared["initiative"] as? [String: Any])?["annotations"] as? [Any])?.isEmpty == true, "\(cleared)")
        let badLabel = try await svb.kiemctl("initiative", "annotate", id, "--label", "Werkagenda 2027")
        #expect(badLabel.status == 2 && badLabel.stderr.contains("label 'Werkagenda 2027'"), "\(badLabel)")
        #expect(try await svb.kiemctl("initiative", "annotate", id).status == 2, "nothing to annotate with")
        #expect(try await svb.kiemctl("initiative", "annotate", id, "--clear", "--label", "x").status == 2)
        #expect(try await svb.kiemctl("initiative", "annotate", id, "--priority", "urgent").status == 2)
    }

    @Test("the socket is found through --config (kiemd.toml) and through $KIEM_SOCKET")
    func socketDiscovery() async throws {
        let byConfig = try await KiemctlProcess.run(["status", "--json", "--config", uwv.configurationPath])
        #expect(try byConfig.json()["node"] as? String == "uwv-1", "\(byConfig)")
        let byEnvironment = try await KiemctlProcess.run(["status", "--json"], environment: ["KIEM_SOCKET": svb.socketPath])
        #expect(try byEnvironment.json()["node"] as? String == "svb-1", "\(byEnvironment)")
    }

    /// Creates an initiative on `node` and returns its id.
    private func create(_ title: String, on node: KiemdProcess, _ arguments: String...) async throws -> String {
        let outcome = try await KiemctlProcess.run(["initiative", "create", "--title", title, "--json", "--socket", node.socketPath] + arguments)
        try #require(outcome.status == 0, "\(outcome)")
        return try #require((try outcome.json()["initiative"] as? [String: Any])?["id"] as? String, "\(outcome)")
    }
}
