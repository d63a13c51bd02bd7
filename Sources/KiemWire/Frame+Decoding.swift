import NIOCore

extension Frame {
    /// Decodes a frame from its validated header and exactly its payload bytes.
    ///
    /// The header was checked already (known type, stream id allowed for the
    /// type, fixed payload sizes); this parses the payload strictly: every
    /// length must fit, strings must be UTF-8, metadata keys valid, and no
    /// bytes may be left over.
    init(header: FrameHeader, payload: ByteBuffer) throws(FrameDecodingError) {
        var payload = payload
        let type = header.type
        let decoded: Payload
        switch type {
        case .open:
            let path = try payload.readShortString(field: "path", of: type)
            guard path.utf8.first == UInt8(ascii: "/") else {
                throw .malformedPayload(type: type, reason: "path must start with \"/\"")
            }
            guard let timeout = payload.readInteger(as: UInt64.self) else {
                throw .malformedPayload(type: type, reason: "timeout missing")
            }
            let metadata = try payload.readMetadata(of: type)
            decoded = .open(
                Open(path: path, timeoutMicroseconds: timeout == 0 ? nil : timeout, metadata: metadata),
                endStream: header.flags.contains(.endStream)
            )
        case .message:
            decoded = .message(payload, endStream: header.flags.contains(.endStream))
            payload.moveReaderIndex(to: payload.writerIndex)
        case .halfClose:
            decoded = .halfClose
        case .trailers:
            guard let code = payload.readInteger(as: UInt16.self) else {
                throw .malformedPayload(type: type, reason: "status code missing")
            }
            let message = try payload.readShortString(field: "status message", of: type)
            let metadata = try payload.readMetadata(of: type)
            decoded = .trailers(Trailers(code: StatusCode(wireValue: code), message: message, metadata: metadata))
        case .reset:
            guard let code = payload.readInteger(as: UInt16.self) else {
                throw .malformedPayload(type: type, reason: "status code missing")
            }
            let message = try payload.readShortString(field: "status message", of: type)
            decoded = .reset(Reset(code: StatusCode(wireValue: code), message: message))
        case .ping, .pong:
            guard let data = payload.readInteger(as: UInt64.self) else {
                throw .malformedPayload(type: type, reason: "payload must be 8 bytes")
            }
            decoded = type == .ping ? .ping(data) : .pong(data)
        case .goAway:
            guard let (last, code) = payload.readMultipleIntegers(as: (UInt32, UInt32).self) else {
                throw .malformedPayload(type: type, reason: "last stream id or code missing")
            }
            guard last & 0x8000_0000 == 0 else {
                throw .malformedPayload(type: type, reason: "last stream id has the reserved bit set")
            }
            let reason = try payload.readShortString(field: "reason", of: type)
            decoded = .goAway(GoAway(lastStreamID: StreamID(last), code: ConnectionErrorCode(rawValue: code), reason: reason))
        case .credit:
            guard let increment = payload.readInteger(as: UInt32.self) else {
                throw .malformedPayload(type: type, reason: "payload must be 4 bytes")
            }
            guard increment > 0, increment <= Preface.maximumWindow else {
                throw .malformedPayload(type: type, reason: "credit increment \(increment) outside 1...\(Preface.maximumWindow)")
            }
            decoded = .credit(increment)
        }
        guard payload.readableBytes == 0 else {
            throw .malformedPayload(type: type, reason: "\(payload.readableBytes) unexpected trailing bytes")
        }
        self.init(streamID: header.streamID, payload: decoded)
    }
}
