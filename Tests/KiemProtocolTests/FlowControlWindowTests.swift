@testable import KiemWire
import Testing

/// The one flow-control window both state machines keep (WIRE.md section 9).
@Suite("flow-control window")
struct FlowControlWindowTests {
    @Test("sending needs positive credit and may take it below zero by less than a message; a blocked send changes nothing")
    func send() {
        var window = FlowControlWindow(.stream(StreamID(1)), sendCredit: 100, receiveCredit: 100)
        let first = window.send(length: 150)
        #expect(first && window.sendCredit == -50)
        let blocked = window.send(length: 1)
        #expect(!blocked)
        #expect(window.sendCredit == -50)
    }

    @Test("a grant that unblocks says so; one past 2^31 - 1 is FLOW_CONTROL_ERROR naming the window")
    func grant() throws {
        var window = FlowControlWindow(.connection, sendCredit: 0, receiveCredit: 100)
        let unblocked = try window.grant(10)
        #expect(unblocked)
        let again = try window.grant(10)
        #expect(!again, "it was not blocked")
        #expect(window.sendCredit == 20)
        #expect(throws: ConnectionError.flowControl("connection credit overflows to \(Int64(Preface.maximumWindow) + 20)")) {
            _ = try window.grant(Preface.maximumWindow)
        }
        var stream = FlowControlWindow(.stream(StreamID(3)), sendCredit: 1, receiveCredit: 1)
        #expect(throws: ConnectionError.flowControl("stream \(StreamID(3)) credit overflows to \(Int64(Preface.maximumWindow) + 1)")) {
            _ = try stream.grant(Preface.maximumWindow)
        }
    }

    @Test("the peer may start a message while its credit is positive; after that it is FLOW_CONTROL_ERROR")
    func receive() throws {
        var window = FlowControlWindow(.stream(StreamID(1)), sendCredit: 0, receiveCredit: 100)
        try window.receive(length: 60)
        try window.receive(length: 60)
        #expect(window.receiveCredit == -20)
        #expect(throws: ConnectionError.self) { try window.receive(length: 1) }
    }

    @Test("consumed bytes are granted back once half the announced window is consumed, never past 2^31 - 1")
    func consumed() {
        var window = FlowControlWindow(.connection, sendCredit: 0, receiveCredit: 100)
        let early = window.consumed(bytes: 49)
        #expect(early == nil)
        let half = window.consumed(bytes: 1)
        #expect(half == 50)
        #expect(window.receiveCredit == 150)
        var wide = FlowControlWindow(.connection, sendCredit: 0, receiveCredit: Preface.maximumWindow)
        let none = wide.consumed(bytes: Int(Preface.maximumWindow))
        #expect(none == nil, "already at the maximum: nothing to grant")
    }
}
