import Foundation
import KiemConfiguration
import KiemCore
import KiemNode
import KiemStore
import KiemTestSupport
import KiemTransport
import NIOCore
import Testing

/// A member with a valid certificate cannot exhaust a node's memory by
/// asking for everything and never reading (issue 12: unread Pull streams
/// with the largest credit took a node from 0.24 GB to 1.82 GB).
@Suite("memory attack")
struct MemoryAttackTests {
    @Test("unread Pull streams with maximal credit on many connections: calls and connections over the limits are refused; RSS stays within 256 MB of idle")
    func unreadPulls() async throws {
        let federation = try TestFederation()
        var configuration = try federation.configuration("uwv", "uwv-1")
        configuration.listen = .init(host: "127.0.0.1", port: try freeLoopbackPort())
        configuration.metrics = nil
        // About 50,000 ops (12 MB of canonical bytes) for every Pull to send.
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let seeded = try KiemStore.open(path: configuration.storePath)
        try SignedHistory.seed(seeded, with: try SignedHistory.make(
            node: configuration.node, organisation: configuration.organisation,
            key: try OriginSigningKey(try PEMFiles.privateKey(at: configuration.tls.key)), initiatives: 10_000))
        try seeded.close()

        let uwv = try KiemdProcess(configuration, folder: federation.root.appendingPathComponent("uwv-1"))
        try await uwv.waitUntilListening()
        let pidText = try String(contentsOfFile: configuration.pidPath, encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let idle = try UnreadPullClient.residentBytes(of: pid)

        // 12 connections of one member, 64 Pull streams each: 768 calls
        // asking for 12 MB each, none read.
        let evil = try federation.pki.node("evil", "evil-1")
        var channels: [any Channel] = []
        for _ in 0..<12 {
            if let channel = try await UnreadPullClient.attack(port: configuration.listen.port, identity: try evil.tlsIdentity(), streams: 64) {
                channels.append(channel)
            }
        }
        try await uwv.waitForLog("a refused call") { $0.contains("refused a sync call over the limit") }
        try await uwv.waitForLog("a refused connection") { $0.contains("closed a connection over the limit per peer") }
        // The admitted calls (8, the limit per peer) write until the unread
        // socket pushes back and each one's writer waits: from then on the
        // attack cannot make the node hold more. The kernel keeps the peak.
        try await uwv.waitForLog("all 8 admitted calls waiting for the unread member", seconds: 120) {
            $0.contains("more calls than ever wait for their peers to read") && $0.contains("calls_waiting=8")
        }
        let peak = try UnreadPullClient.peakResidentBytes(of: pid)
        for channel in channels { try? await channel.close() }
        try await uwv.kill()
        let growth = peak - idle
        print("memory attack: idle RSS \(idle / 1_048_576) MB, peak \(peak / 1_048_576) MB, growth \(growth / 1_048_576) MB")
        #expect(growth < 256 << 20, "RSS grew by \(growth / 1_048_576) MB under the attack")
    }
}
