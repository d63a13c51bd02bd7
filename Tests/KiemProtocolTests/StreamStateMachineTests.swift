import KiemProtocol
import KiemWire
import NIOCore
import Testing

/// Drives a ``StreamStateMachine`` with named events so transitions can be
/// listed as data.
enum StreamEvent: Sendable, CustomStringConvertible {
    case sendOpen(end: Bool = false)
    case sendMessage(end: Bool = false)
    case sendHalfClose
    case sendTrailers
    case sendReset
    case receiveOpen(end: Bool = false)
    case receiveMessage(end: Bool = false)
    case receiveHalfClose
    case receiveTrailers
    case receiveReset

    static let open = StreamEvent.sendOpen()
    static let send = StreamEvent.sendMessage()
    static let accept = StreamEvent.receiveOpen()
    static let receive = StreamEvent.receiveMessage()

    var description: String {
        switch self {
        case .sendOpen(let end): end ? "sendOpen(END_STREAM)" : "sendOpen"
        case .sendMessage(let end): end ? "sendMessage(END_STREAM)" : "sendMessage"
        case .sendHalfClose: "sendHalfClose"
        case .sendTrailers: "sendTrailers"
        case .sendReset: "sendReset"
        case .receiveOpen(let end): end ? "receiveOpen(END_STREAM)" : "receiveOpen"
        case .receiveMessage(let end): end ? "receiveMessage(END_STREAM)" : "receiveMessage"
        case .receiveHalfClose: "receiveHalfClose"
        case .receiveTrailers: "receiveTrailers"
        case .receiveReset: "receiveReset"
        }
    }
}

/// What one event did.
enum StreamOutcome: Equatable, CustomStringConvertible {
    case state(StreamStateMachine.State)
    case discarded
    case localError
    case protocolError
    case flowControlError
    case blocked

    var description: String {
        switch self {
        case .state(let state): "\(state)"
        case .discarded: "discarded"
        case .localError: "local error (RPCError)"
        case .protocolError: "PROTOCOL_ERROR"
        case .flowControlError: "FLOW_CONTROL_ERROR"
        case .blocked: "blocked"
        }
    }
}

extension StreamStateMachine {
    static func make(_ role: ConnectionRole, sendCredit: UInt32 = 1000, receiveCredit: UInt32 = 1000) -> StreamStateMachine {
        StreamStateMachine(id: StreamID(1), role: role, initialSendCredit: sendCredit, initialReceiveCredit: receiveCredit)
    }

    mutating func apply(_ event: StreamEvent, length: Int = 10, now: NIODeadline = TestHelpers.time(0)) -> StreamOutcome {
        let open = Frame.Open(path: "/kiem.v1.Sync/Pull", timeoutMicroseconds: 1_000_000)
        do {
            switch event {
            case .sendOpen(let end):
                try self.sendOpen(open, endStream: end, now: now)
            case .sendMessage(let end):
                guard try self.sendMessage(length: length, endStream: end) else { return .blocked }
            case .sendHalfClose:
                try self.sendHalfClose()
            case .sendTrailers:
                try self.sendTrailers()
            case .sendReset:
                _ = self.sendReset(code: .cancelled)
            case .receiveOpen(let end):
                try self.receiveOpen(open, endStream: end, now: now)
            case .receiveMessage(let end):
                if try self.receiveMessage(length: length, endStream: end) == .discard { return .discarded }
            case .receiveHalfClose:
                if try self.receiveHalfClose() == .discard { return .discarded }
            case .receiveTrailers:
                if try self.receiveTrailers() == .discard { return .discarded }
            case .receiveReset:
                if self.receiveReset(code: .cancelled) == .discard { return .discarded }
            }
        } catch let error as RPCError {
            #expect(error.code == .internalError)
            return .localError
        } catch let error as ConnectionError {
            return error.code == .flowControlError ? .flowControlError : .protocolError
        } catch {
            Issue.record("unexpected error \(error)")
            return .localError
        }
        return .state(self.state)
    }
}

struct StreamTransition: Sendable, CustomStringConvertible {
    var role: ConnectionRole
    var before: [StreamEvent]
    var event: StreamEvent
    var expected: StreamOutcome

    init(_ role: ConnectionRole, _ before: [StreamEvent], _ event: StreamEvent, _ expected: StreamOutcome) {
        self.role = role
        self.before = before
        self.event = event
        self.expected = expected
    }

    var description: String {
        "\(self.role): \(self.before) then \(self.event) → \(self.expected)"
    }
}

@Suite("StreamStateMachine")
struct StreamStateMachineTests {
    static let transitions: [StreamTransition] = [
        // Client side: the allowed paths.
        .init(.client, [], .open, .state(.clientOpenServerIdle)),
        .init(.client, [], .sendOpen(end: true), .state(.clientClosedServerIdle)),
        .init(.client, [.open], .send, .state(.clientOpenServerIdle)),
        .init(.client, [.open], .sendMessage(end: true), .state(.clientClosedServerIdle)),
        .init(.client, [.open], .sendHalfClose, .state(.clientClosedServerIdle)),
        .init(.client, [.open], .receive, .state(.clientOpenServerOpen)),
        .init(.client, [.open, .sendHalfClose], .receive, .state(.clientClosedServerOpen)),
        .init(.client, [.open], .receiveTrailers, .state(.clientOpenServerClosed)),
        .init(.client, [.open, .receive], .receiveTrailers, .state(.clientOpenServerClosed)),
        .init(.client, [.open, .sendHalfClose, .receive], .receiveTrailers, .state(.clientClosedServerClosed)),
        .init(.client, [.open], .sendReset, .state(.clientClosedServerClosed)),
        .init(.client, [.open], .receiveReset, .state(.clientClosedServerClosed)),
        // Client side: impossible local transitions throw RPCError.
        .init(.client, [], .send, .localError),
        .init(.client, [], .sendHalfClose, .localError),
        .init(.client, [.open], .open, .localError),
        .init(.client, [.open, .sendHalfClose], .send, .localError),
        .init(.client, [.open, .sendHalfClose], .sendHalfClose, .localError),
        .init(.client, [.open], .sendTrailers, .localError),
        .init(.client, [.open, .receiveTrailers], .send, .localError),
        // Client side: the server breaking the protocol.
        .init(.client, [.open], .accept, .protocolError),
        .init(.client, [.open], .receiveHalfClose, .protocolError),
        .init(.client, [.open], .receiveMessage(end: true), .protocolError),
        .init(.client, [], .receiveTrailers, .protocolError),
        // Client side: frames crossing the stream's end are dropped.
        .init(.client, [.open, .receiveTrailers], .receive, .discarded),
        .init(.client, [.open, .receiveTrailers], .receiveTrailers, .discarded),
        .init(.client, [.open, .sendReset], .receive, .discarded),
        .init(.client, [.open, .sendReset], .receiveReset, .discarded),

        // Server side: the allowed paths.
        .init(.server, [], .accept, .state(.clientOpenServerIdle)),
        .init(.server, [], .receiveOpen(end: true), .state(.clientClosedServerIdle)),
        .init(.server, [.accept], .receive, .state(.clientOpenServerIdle)),
        .init(.server, [.accept], .receiveMessage(end: true), .state(.clientClosedServerIdle)),
        .init(.server, [.accept], .receiveHalfClose, .state(.clientClosedServerIdle)),
        .init(.server, [.accept], .send, .state(.clientOpenServerOpen)),
        .init(.server, [.accept, .receiveHalfClose], .send, .state(.clientClosedServerOpen)),
        .init(.server, [.receiveOpen(end: true)], .sendTrailers, .state(.clientClosedServerClosed)),
        .init(.server, [.accept], .sendTrailers, .state(.clientOpenServerClosed)),
        .init(.server, [.accept, .send], .sendTrailers, .state(.clientOpenServerClosed)),
        .init(.server, [.accept], .receiveReset, .state(.clientClosedServerClosed)),
        .init(.server, [.accept], .sendReset, .state(.clientClosedServerClosed)),
        // Server side: impossible local transitions.
        .init(.server, [], .open, .localError),
        .init(.server, [], .send, .localError),
        .init(.server, [], .sendTrailers, .localError),
        .init(.server, [.accept], .sendHalfClose, .localError),
        .init(.server, [.accept], .sendMessage(end: true), .localError),
        .init(.server, [.accept, .sendTrailers], .send, .localError),
        .init(.server, [.accept, .sendTrailers], .sendTrailers, .localError),
        // Server side: the client breaking the protocol.
        .init(.server, [], .receive, .protocolError),
        .init(.server, [], .receiveHalfClose, .protocolError),
        .init(.server, [.accept], .accept, .protocolError),
        .init(.server, [.accept, .receiveHalfClose], .receive, .protocolError),
        .init(.server, [.receiveOpen(end: true)], .receive, .protocolError),
        .init(.server, [.accept, .receiveHalfClose], .receiveHalfClose, .protocolError),
        .init(.server, [.accept], .receiveTrailers, .protocolError),
        // Server side: frames crossing the stream's end are dropped.
        .init(.server, [.accept, .sendTrailers], .receive, .discarded),
        .init(.server, [.accept, .sendTrailers], .receiveHalfClose, .discarded),
        .init(.server, [.accept, .receiveReset], .receive, .discarded),
    ]

    @Test("transition table", arguments: StreamStateMachineTests.transitions)
    func transition(_ transition: StreamTransition) {
        var machine = StreamStateMachine.make(transition.role)
        for event in transition.before {
            let outcome = machine.apply(event)
            guard case .state = outcome else {
                Issue.record("setup step \(event) gave \(outcome)")
                return
            }
        }
        let stateBefore = machine.state
        let outcome = machine.apply(transition.event)
        #expect(outcome == transition.expected)
        if outcome == .localError || outcome == .discarded {
            #expect(machine.state == stateBefore, "a refused or dropped event changes nothing")
        }
    }

    @Test("the states are exactly the seven valid side combinations")
    func stateProduct() {
        let sides: [StreamStateMachine.Side] = [.idle, .open, .closed]
        var states: Set<StreamStateMachine.State> = []
        for client in sides {
            for server in sides {
                if let state = StreamStateMachine.State(client: client, server: server) {
                    #expect(state.client == client && state.server == server)
                    states.insert(state)
                } else {
                    #expect(client == .idle && server != .idle)
                }
            }
        }
        #expect(states == Set(StreamStateMachine.State.allCases))
    }

    @Test("finished once the server side closed or the stream was reset")
    func finished() {
        var machine = StreamStateMachine.make(.client)
        _ = machine.apply(.open)
        #expect(!machine.isFinished)
        _ = machine.apply(.sendHalfClose)
        #expect(!machine.isFinished)
        _ = machine.apply(.receiveTrailers)
        #expect(machine.isFinished)

        var reset = StreamStateMachine.make(.server)
        _ = reset.apply(.accept)
        let first = reset.sendReset(code: .internalError)
        #expect(first)
        #expect(reset.isFinished && reset.resetCode == .internalError)
        let second = reset.sendReset(code: .internalError)
        #expect(!second, "nothing to reset twice")
        var idle = StreamStateMachine.make(.client)
        let idleReset = idle.sendReset(code: .cancelled)
        #expect(!idleReset, "an idle stream has nothing to reset")
    }

    // MARK: - Credit

    @Test("a peer may overshoot its credit by one message, not more")
    func receiveCreditOverrun() {
        var machine = StreamStateMachine.make(.server, receiveCredit: 100)
        _ = machine.apply(.accept)
        #expect(machine.apply(.receive, length: 60) == .state(.clientOpenServerIdle))
        #expect(machine.receiveCredit == 40)
        #expect(machine.apply(.receive, length: 60) == .state(.clientOpenServerIdle))
        #expect(machine.receiveCredit == -20)
        #expect(machine.apply(.receive, length: 1) == .flowControlError)
        #expect(machine.apply(.receive, length: 0) == .flowControlError)
    }

    @Test("credit is granted back once half the window was consumed")
    func consumedGrantsCredit() {
        var machine = StreamStateMachine.make(.server, receiveCredit: 100)
        _ = machine.apply(.accept)
        _ = machine.apply(.receive, length: 100)
        #expect(machine.receiveCredit == 0)
        #expect(machine.consumed(bytes: 30) == nil)
        #expect(machine.consumed(bytes: 30) == 60)
        #expect(machine.receiveCredit == 60)
        #expect(machine.apply(.receive, length: 10) == .state(.clientOpenServerIdle))
        // Once the client half-closed nothing more is granted.
        _ = machine.apply(.receiveHalfClose)
        #expect(machine.consumed(bytes: 1000) == nil)
    }

    @Test("sending blocks at zero credit and resumes when credit arrives")
    func sendCredit() throws {
        var machine = StreamStateMachine.make(.client, sendCredit: 100)
        _ = machine.apply(.open)
        #expect(machine.apply(.send, length: 150) == .state(.clientOpenServerIdle))
        #expect(machine.sendCredit == -50)
        #expect(!machine.hasSendCredit)
        #expect(machine.apply(.send, length: 1) == .blocked)
        #expect(machine.sendCredit == -50, "a blocked send changes nothing")
        #expect(try machine.receiveCredit(40) == false, "still not positive")
        #expect(try machine.receiveCredit(20) == true, "now positive: resume")
        #expect(try machine.receiveCredit(20) == false, "was positive already")
        #expect(machine.apply(.send, length: 1) == .state(.clientOpenServerIdle))
    }

    @Test("credit beyond 2^31 - 1 is a flow-control error")
    func creditOverflow() throws {
        var machine = StreamStateMachine.make(.client, sendCredit: Preface.maximumWindow - 10)
        _ = machine.apply(.open)
        #expect(try machine.receiveCredit(10) == false)
        #expect(throws: ConnectionError.self) { _ = try machine.receiveCredit(1) }
    }

    // MARK: - Deadlines

    @Test("the deadline is the OPEN timeout after the event's time")
    func deadline() {
        var server = StreamStateMachine.make(.server)
        _ = server.apply(.accept, now: TestHelpers.time(10))
        #expect(server.deadline == TestHelpers.time(11))
        #expect(!server.isExpired(at: TestHelpers.time(10.999)))
        #expect(server.isExpired(at: TestHelpers.time(11)))
        _ = server.apply(.sendTrailers)
        #expect(!server.isExpired(at: TestHelpers.time(20)), "a finished stream never expires")

        var client = StreamStateMachine.make(.client)
        _ = client.apply(.open, now: TestHelpers.time(5))
        #expect(client.deadline == TestHelpers.time(6))
    }

    @Test("deadline expiry is an event: the stream ends as reset with DEADLINE_EXCEEDED")
    func expire() {
        var client = StreamStateMachine.make(.client)
        _ = client.apply(.open, now: TestHelpers.time(0))
        let early = client.expire(now: TestHelpers.time(0.5))
        #expect(!early)
        #expect(client.state == .clientOpenServerIdle)
        let due = client.expire(now: TestHelpers.time(1))
        #expect(due)
        #expect(client.state == .clientClosedServerClosed && client.resetCode == .deadlineExceeded)
        let again = client.expire(now: TestHelpers.time(2))
        #expect(!again, "expires once")
        #expect(client.apply(.receive) == .discarded, "late responses are dropped")

        var noDeadline = StreamStateMachine.make(.server)
        try? noDeadline.receiveOpen(Frame.Open(path: "/a/b"), endStream: false, now: TestHelpers.time(0))
        let never = noDeadline.expire(now: TestHelpers.time(1_000_000))
        #expect(!never)
    }

    @Test("an absurd timeout saturates instead of overflowing")
    func hugeTimeout() throws {
        var server = StreamStateMachine.make(.server)
        try server.receiveOpen(Frame.Open(path: "/a/b", timeoutMicroseconds: .max), endStream: false, now: TestHelpers.time(0))
        #expect(!server.isExpired(at: TestHelpers.time(1_000_000)))
    }
}
