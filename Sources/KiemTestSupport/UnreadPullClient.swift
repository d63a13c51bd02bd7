import Foundation
import KiemProtocol
import KiemWire
import Logging
package import KiemTransport
package import NIOCore
import NIOPosix
import SwiftProtobuf

/// A member that asks a node for everything on many `Pull` streams at once,
/// announces the largest credit the protocol allows, and then never reads
/// its socket: whatever the node writes stays in the node's buffers. Built
/// from the frame codec alone, as a stranger's client would be. Used by
/// `MemoryAttackTests` and `kiem-bench attack`.
package enum UnreadPullClient {
    /// Connects to `port` as `identity`, opens `streams` Pull calls, and
    /// stops reading. Returns the channel (close it to end the attack), or
    /// nil when the node closed the connection first (over its limits).
    package static func attack(port: Int, identity: NodeTLSIdentity, streams: Int) async throws -> (any Channel)? {
        let tls = try KiemTLSContext(
            role: .client, identity: identity, applicationProtocols: [RPCServer.applicationProtocol],
            logger: Logger(label: "kiem.attack") { _ in SwiftLogNoOpLogHandler() })
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { _ = try tls.addHandlers(to: channel) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        _ = try await channel.kiemPeerIdentity().get()
        var bytes = ByteBuffer()
        Preface(initialStreamCredit: UInt32(Int32.max), initialConnectionCredit: UInt32(Int32.max)).write(to: &bytes)
        let request: [UInt8] = try Kiem_V1_PullRequest().serializedBytes()
        for index in 0..<streams {
            let id = StreamID(rawValue: UInt32(2 * index + 1))
            FrameEncoder.encode(.open(id, Frame.Open(path: "/kiem.v1.Sync/Pull")), into: &bytes)
            FrameEncoder.encode(.message(id, ByteBuffer(bytes: request), endStream: true), into: &bytes)
        }
        do {
            try await channel.setOption(ChannelOptions.autoRead, value: false)
            try await channel.writeAndFlush(bytes)
        } catch where !channel.isActive {
            return nil
        }
        return channel
    }

    /// The resident set size of process `pid`, in bytes.
    package static func residentBytes(of pid: Int32) throws -> Int {
        try statusBytes("VmRSS:", of: pid)
    }

    /// The most resident memory `pid` ever had, in bytes (Linux
    /// `/proc/PID/status` VmHWM, kept by the kernel): a peak no sampling misses.
    package static func peakResidentBytes(of pid: Int32) throws -> Int {
        try statusBytes("VmHWM:", of: pid)
    }

    private static func statusBytes(_ field: String, of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw CocoaError(.fileReadCorruptFile) }
        return kilobytes * 1024
    }
}
