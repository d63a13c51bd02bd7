public import NIOCore

extension Frame {
    /// The payload length this frame encodes to (the header's length field).
    public var encodedPayloadLength: Int {
        switch self.payload {
        case .open(let open, _):
            ByteBuffer.shortStringSize(open.path) + 8 + ByteBuffer.metadataSize(open.metadata)
        case .message(let bytes, _):
            bytes.readableBytes
        case .halfClose:
            0
        case .trailers(let trailers):
            2 + ByteBuffer.shortStringSize(trailers.message) + ByteBuffer.metadataSize(trailers.metadata)
        case .reset(let reset):
            2 + ByteBuffer.shortStringSize(reset.message)
        case .ping, .pong:
            8
        case .goAway(let goAway):
            8 + ByteBuffer.shortStringSize(goAway.reason)
        case .credit:
            4
        }
    }

    /// The header this frame is sent with.
    public var header: FrameHeader {
        FrameHeader(length: self.encodedPayloadLength, type: self.type, flags: self.flags, streamID: self.streamID)
    }

    /// Appends the frame (header and payload) to `buffer`.
    ///
    /// Strings longer than their length prefix allows are cut at a Unicode
    /// scalar boundary (status messages, reasons); metadata beyond 65,535
    /// entries is dropped. MESSAGE payloads are copied once, into `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        let header = self.header
        buffer.reserveCapacity(minimumWritableBytes: FrameHeader.size + header.length)
        header.write(to: &buffer)
        switch self.payload {
        case .open(let open, _):
            buffer.writeShortString(open.path)
            buffer.writeInteger(open.timeoutMicroseconds ?? 0)
            buffer.writeMetadata(open.metadata)
        case .message(let bytes, _):
            buffer.writeImmutableBuffer(bytes)
        case .halfClose:
            break
        case .trailers(let trailers):
            buffer.writeInteger(trailers.code.rawValue)
            buffer.writeShortString(trailers.message)
            buffer.writeMetadata(trailers.metadata)
        case .reset(let reset):
            buffer.writeInteger(reset.code.rawValue)
            buffer.writeShortString(reset.message)
        case .ping(let data), .pong(let data):
            buffer.writeInteger(data)
        case .goAway(let goAway):
            buffer.writeMultipleIntegers(goAway.lastStreamID.rawValue, goAway.code.rawValue)
            buffer.writeShortString(goAway.reason)
        case .credit(let increment):
            buffer.writeInteger(increment)
        }
    }
}
