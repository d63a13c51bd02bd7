/// Names one RPC method: its service, its method and the shape of its streams.
///
/// The wire form is the path `/kiem.v1.Sync/Pull`, sent in OPEN.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// How many messages each side sends.
    public enum Kind: Sendable, Hashable {
        /// One request, one response.
        case unary
        /// One request, a stream of responses.
        case serverStreaming
        /// A stream of requests, one response.
        case clientStreaming
        /// Streams both ways.
        case bidirectionalStreaming
    }

    /// The fully qualified service, e.g. `kiem.v1.Sync`.
    public var service: String
    /// The method, e.g. `Pull`.
    public var method: String
    /// The call shape.
    public var kind: Kind

    /// Creates a descriptor.
    public init(service: String, method: String, kind: Kind) {
        self.service = service
        self.method = method
        self.kind = kind
    }

    /// The path sent in OPEN: `/service/method`.
    public var path: String { "/\(self.service)/\(self.method)" }

    public var description: String { self.path }
}

extension MethodDescriptor {
    /// Methods of service `kiem.v1.Sync` (see `Protocols/kiem/v1/sync.proto`).
    public enum Sync {
        /// The service name.
        public static let service = "kiem.v1.Sync"
        /// `Handshake`: unary.
        public static let handshake = MethodDescriptor(service: service, method: "Handshake", kind: .unary)
        /// `Pull`: version vector in, a stream of op batches out.
        public static let pull = MethodDescriptor(service: service, method: "Pull", kind: .serverStreaming)
        /// `Subscribe`: live op batches.
        public static let subscribe = MethodDescriptor(service: service, method: "Subscribe", kind: .serverStreaming)
        /// `Push`: a stream of op batches in, one ack out.
        public static let push = MethodDescriptor(service: service, method: "Push", kind: .clientStreaming)
        /// `FetchCertificates`: unary.
        public static let fetchCertificates = MethodDescriptor(service: service, method: "FetchCertificates", kind: .unary)
        /// `Revocations`: the caller's revocations in, the server's it lacks out, then new ones as they come.
        public static let revocations = MethodDescriptor(service: service, method: "Revocations", kind: .serverStreaming)

        /// Every method of the service.
        public static let all: [MethodDescriptor] = [handshake, pull, subscribe, push, fetchCertificates, revocations]
    }

    /// Methods of service `kiem.v1.Control` (see `Protocols/kiem/v1/control.proto`).
    public enum Control {
        /// The service name.
        public static let service = "kiem.v1.Control"
        /// `Status`: unary.
        public static let status = MethodDescriptor(service: service, method: "Status", kind: .unary)
        /// `CreateInitiative`: unary.
        public static let createInitiative = MethodDescriptor(service: service, method: "CreateInitiative", kind: .unary)
        /// `EditInitiative`: unary.
        public static let editInitiative = MethodDescriptor(service: service, method: "EditInitiative", kind: .unary)
        /// `SetPhase`: unary.
        public static let setPhase = MethodDescriptor(service: service, method: "SetPhase", kind: .unary)
        /// `LogProgress`: unary.
        public static let logProgress = MethodDescriptor(service: service, method: "LogProgress", kind: .unary)
        /// `Adopt`: unary.
        public static let adopt = MethodDescriptor(service: service, method: "Adopt", kind: .unary)
        /// `Endorse`: unary.
        public static let endorse = MethodDescriptor(service: service, method: "Endorse", kind: .unary)
        /// `Archive`: unary.
        public static let archive = MethodDescriptor(service: service, method: "Archive", kind: .unary)
        /// `Annotate`: unary.
        public static let annotate = MethodDescriptor(service: service, method: "Annotate", kind: .unary)
        /// `QueryInitiatives`: unary.
        public static let queryInitiatives = MethodDescriptor(service: service, method: "QueryInitiatives", kind: .unary)
        /// `GetInitiative`: unary.
        public static let getInitiative = MethodDescriptor(service: service, method: "GetInitiative", kind: .unary)
        /// `ListPeers`: unary.
        public static let listPeers = MethodDescriptor(service: service, method: "ListPeers", kind: .unary)
        /// `AddPeer`: unary.
        public static let addPeer = MethodDescriptor(service: service, method: "AddPeer", kind: .unary)
        /// `RemovePeer`: unary.
        public static let removePeer = MethodDescriptor(service: service, method: "RemovePeer", kind: .unary)
        /// `Watch`: server-streaming change events.
        public static let watch = MethodDescriptor(service: service, method: "Watch", kind: .serverStreaming)
        /// `Sync`: trigger anti-entropy, server-streaming progress.
        public static let sync = MethodDescriptor(service: service, method: "Sync", kind: .serverStreaming)
        /// `Overview`: unary.
        public static let overview = MethodDescriptor(service: service, method: "Overview", kind: .unary)
        /// `Backup`: unary.
        public static let backup = MethodDescriptor(service: service, method: "Backup", kind: .unary)
        /// `AddRevocation`: unary.
        public static let addRevocation = MethodDescriptor(service: service, method: "AddRevocation", kind: .unary)
        /// `ListRevocations`: unary.
        public static let listRevocations = MethodDescriptor(service: service, method: "ListRevocations", kind: .unary)

        /// Every method of the service.
        public static let all: [MethodDescriptor] = [
            status, createInitiative, editInitiative, setPhase, logProgress, adopt, endorse, archive, annotate,
            queryInitiatives, getInitiative, listPeers, addPeer, removePeer, watch, sync, overview, backup,
            addRevocation, listRevocations,
        ]
    }

    /// Every method Kiem defines, by path.
    public static let byPath: [String: MethodDescriptor] = Dictionary(
        uniqueKeysWithValues: (Sync.all + Control.all).map { ($0.path, $0) }
    )
}
