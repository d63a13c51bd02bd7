public import NIOCore

/// Turns bytes into the peer's preface and then frames.
///
/// A `NIOSingleStepByteToMessageDecoder` with an explicit read state: waiting
/// for the preface, waiting for a frame header, or waiting for the payload of
/// a header already read. It never buffers more than one frame: a header whose
/// length exceeds ``maximumFrameLength`` fails at once with
/// ``FrameDecodingError/frameTooLarge(length:maximum:)``, before the payload
/// arrives. Header checks (length, type, stream id, fixed payload sizes) fail
/// fast too. MESSAGE payloads are slices of the input, not copies.
///
/// After the first error the decoder refuses everything
/// (``FrameDecodingError/alreadyFailed``); the connection is unusable. If the
/// input ends inside a preface or frame, ``decodeLast(buffer:seenEOF:)``
/// throws ``FrameDecodingError/truncated(leftoverBytes:)``.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = InboundItem

    private enum ReadState: Sendable {
        case waitingForPreface
        case waitingForHeader
        case waitingForPayload(FrameHeader)
        case failed
    }

    private var readState: ReadState

    /// The largest payload accepted: the max frame size this side announced
    /// in its preface.
    public let maximumFrameLength: Int

    /// Creates a decoder.
    /// - Parameters:
    ///   - maximumFrameLength: the max frame size this side announced.
    ///   - expectsPreface: whether the input starts with the peer's preface
    ///     (true on a real connection; false to decode bare frames).
    public init(maximumFrameLength: Int = Int(Preface.defaultMaximumFrameSize), expectsPreface: Bool = true) {
        self.maximumFrameLength = maximumFrameLength
        self.readState = expectsPreface ? .waitingForPreface : .waitingForHeader
    }

    /// Decodes the next preface or frame, or returns `nil` if more bytes are needed.
    public mutating func decode(buffer: inout ByteBuffer) throws(FrameDecodingError) -> InboundItem? {
        do {
            return try self.decodeNext(buffer: &buffer)
        } catch {
            self.readState = .failed
            throw error
        }
    }

    /// Decodes what is left when the input ends; throws
    /// ``FrameDecodingError/truncated(leftoverBytes:)`` if it ends inside a
    /// preface or frame.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws(FrameDecodingError) -> InboundItem? {
        if case .failed = self.readState {
            return nil
        }
        if let item = try self.decode(buffer: &buffer) {
            return item
        }
        switch self.readState {
        case .waitingForPayload:
            self.readState = .failed
            throw .truncated(leftoverBytes: FrameHeader.size + buffer.readableBytes)
        case .waitingForHeader, .waitingForPreface:
            if buffer.readableBytes > 0 {
                self.readState = .failed
                throw .truncated(leftoverBytes: buffer.readableBytes)
            }
            return nil
        case .failed:
            return nil
        }
    }

    private mutating func decodeNext(buffer: inout ByteBuffer) throws(FrameDecodingError) -> InboundItem? {
        switch self.readState {
        case .waitingForPreface:
            guard let preface = try Preface.read(from: &buffer) else {
                return nil
            }
            self.readState = .waitingForHeader
            return .preface(preface)

        case .waitingForHeader:
            guard let header = try self.readHeader(from: &buffer) else {
                return nil
            }
            self.readState = .waitingForPayload(header)
            return try self.readPayload(header, from: &buffer)

        case .waitingForPayload(let header):
            return try self.readPayload(header, from: &buffer)

        case .failed:
            throw .alreadyFailed
        }
    }

    private mutating func readPayload(_ header: FrameHeader, from buffer: inout ByteBuffer) throws(FrameDecodingError) -> InboundItem? {
        guard let payload = buffer.readSlice(length: header.length) else {
            return nil
        }
        self.readState = .waitingForHeader
        return .frame(try Frame(header: header, payload: payload))
    }

    /// Reads and validates a header; `nil` (consuming nothing) if fewer than
    /// 10 bytes are there.
    private func readHeader(from buffer: inout ByteBuffer) throws(FrameDecodingError) -> FrameHeader? {
        guard let (length, rawType, rawFlags, rawStreamID) = buffer.readMultipleIntegers(
            as: (UInt32, UInt8, UInt8, UInt32).self
        ) else {
            return nil
        }
        let payloadLength = Int(length)
        guard payloadLength <= self.maximumFrameLength else {
            throw .frameTooLarge(length: payloadLength, maximum: self.maximumFrameLength)
        }
        guard let type = FrameType(rawValue: rawType) else {
            throw .unknownFrameType(rawType)
        }
        let streamID = StreamID(rawStreamID)
        let streamIDAllowed: Bool
        if rawStreamID & 0x8000_0000 != 0 {
            streamIDAllowed = false
        } else {
            switch type.requiresConnectionStream {
            case true?: streamIDAllowed = streamID.isConnection
            case false?: streamIDAllowed = streamID.isClientInitiated
            case nil: streamIDAllowed = streamID.isConnection || streamID.isClientInitiated
            }
        }
        guard streamIDAllowed else {
            throw .invalidStreamID(type: type, streamID: rawStreamID)
        }
        let header = FrameHeader(length: payloadLength, type: type, flags: FrameFlags(rawValue: rawFlags), streamID: streamID)
        if let required = header.requiredPayloadLength, required != payloadLength {
            throw .malformedPayload(type: type, reason: "payload must be \(required) bytes, header says \(payloadLength)")
        }
        return header
    }
}
