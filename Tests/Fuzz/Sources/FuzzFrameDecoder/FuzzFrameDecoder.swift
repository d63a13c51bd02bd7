import FuzzSupport
import KiemWire
import NIOCore

// Fuzzes `FrameDecoder` on bare frames (the preface has its own target).
//
// Input: byte 0 sets the chunk size (1...256) the second decoding feeds the
// rest of the input in; the rest is the byte stream. Properties:
// 1. Decoding the stream at once and in chunks gives the same frames and
//    ends with the same error (or none): framing does not depend on how
//    TCP splits the bytes.
// 2. Every decoded frame re-encodes to exactly the bytes it came from,
//    except for undefined flag bits, which receivers ignore (WIRE.md 4),
//    and a status code the receiver does not know, which it reads as
//    UNKNOWN (WIRE.md 7): the decoder accepts only what the encoder writes.
// 3. Decoding the re-encoded bytes gives the same frame again.

/// The smallest max frame size a preface may announce; keeps inputs small.
let maximumFrameLength = 16 * 1024

/// How a decoding ended: the frames and the error, if any; and the offsets
/// each frame spans, known only when the whole input is decoded at once (in
/// chunks, a header may be consumed in one call and its payload in another).
struct Outcome: Equatable {
    var frames: [Frame] = []
    var error: FrameDecodingError?
    var spans: [Range<Int>] = []

    static func == (lhs: Outcome, rhs: Outcome) -> Bool {
        lhs.frames == rhs.frames && lhs.error == rhs.error
    }
}

/// Decodes `bytes`, handed to the decoder `chunk` bytes at a time.
func decode(_ bytes: [UInt8], chunk: Int) -> Outcome {
    var decoder = FrameDecoder(maximumFrameLength: maximumFrameLength, expectsPreface: false)
    var buffer = ByteBuffer()
    var outcome = Outcome()
    var offset = 0
    var consumed = 0
    func take(_ item: InboundItem, readerMoved: Int) {
        guard case .frame(let frame) = item else {
            fatalError("a decoder that expects no preface returned \(item)")
        }
        outcome.frames.append(frame)
        outcome.spans.append(consumed..<(consumed + readerMoved))
        consumed += readerMoved
    }
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while true {
                let before = buffer.readableBytes
                guard let item = try decoder.decode(buffer: &buffer) else { break }
                take(item, readerMoved: before - buffer.readableBytes)
            }
        }
        while true {
            let before = buffer.readableBytes
            guard let item = try decoder.decodeLast(buffer: &buffer, seenEOF: true) else { break }
            take(item, readerMoved: before - buffer.readableBytes)
        }
    } catch {
        outcome.error = error
    }
    return outcome
}

/// The bytes a correct encoder writes for the frame at `span`: the input with
/// the flags the frame's type does not define cleared, and an unknown status
/// code (the first two payload bytes of TRAILERS and RST) as UNKNOWN.
func expectedEncoding(of frame: Frame, in bytes: [UInt8], span: Range<Int>) -> [UInt8] {
    var expected = Array(bytes[span])
    let defined: UInt8 = frame.type == .open || frame.type == .message ? FrameFlags.endStream.rawValue : 0
    expected[5] &= defined
    if frame.type == .trailers || frame.type == .reset, StatusCode(rawValue: UInt16(expected[10]) << 8 | UInt16(expected[11])) == nil {
        expected[10] = 0
        expected[11] = UInt8(StatusCode.unknown.rawValue)
    }
    return expected
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let chunk = Int(start[0]) + 1
    let bytes = Array(UnsafeBufferPointer(start: start + 1, count: count - 1))

    let whole = decode(bytes, chunk: max(bytes.count, 1))
    let chunked = decode(bytes, chunk: chunk)
    fuzzCheck(whole == chunked, "decoding at once gave \(whole), in chunks of \(chunk) \(chunked)")

    for (frame, span) in zip(whole.frames, whole.spans) {
        var encoded = ByteBuffer()
        FrameEncoder.encode(frame, into: &encoded)
        let expected = expectedEncoding(of: frame, in: bytes, span: span)
        fuzzCheck(Array(encoded.readableBytesView) == expected, "\(frame) re-encodes to \(Array(encoded.readableBytesView)), not \(expected)")
        let again = decode(expected, chunk: expected.count)
        fuzzCheck(again.frames == [frame] && again.error == nil, "\(frame) re-encoded decodes as \(again)")
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    SeedCorpus.writeIfAsked(FrameSeeds.all)
    return 0
}

/// The entry point (see `FuzzDriver`).
@_cdecl("FuzzFrameDecoder_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzz)
}
