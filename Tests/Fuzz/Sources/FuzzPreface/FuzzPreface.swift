import FuzzSupport
import KiemWire
import NIOCore

// Fuzzes `Preface.read(from:)` and the decoder's preface state.
//
// Properties:
// 1. `Preface.read` accepts exactly what an independent reading of the
//    WIRE.md 3 table accepts (`ReferencePreface`), waits for more bytes
//    exactly when that reading needs more, and refuses everything else,
//    with `badPrefaceMagic` exactly when a magic byte is wrong.
// 2. An accepted preface consumed exactly 26 + n bytes and writes back to
//    exactly those bytes; waiting or refusing consumes nothing.
// 3. A `FrameDecoder` fed the input one byte at a time returns the same
//    preface or fails with the same error, as soon as a byte decides it.
// 4. Negotiating an accepted preface with Kiem's own picks the highest
//    version both speak, or fails only when they share none.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    var buffer = ByteBuffer(bytes: bytes)
    let result = Result { () throws(FrameDecodingError) in try Preface.read(from: &buffer) }
    let expected = ReferencePreface.read(bytes)

    switch (result, expected) {
    case (.success(let preface?), .accepted(let length)):
        fuzzCheck(buffer.readerIndex == length, "read \(preface) consumed \(buffer.readerIndex) bytes, not \(length)")
        var written = ByteBuffer()
        preface.write(to: &written)
        fuzzCheck(Array(written.readableBytesView) == Array(bytes[0..<length]), "\(preface) writes back other bytes")
        fuzzCheck(preface.validationFailure == nil, "an accepted preface fails validation: \(preface.validationFailure ?? "")")
        checkNegotiation(preface)
    case (.success(nil), .needsMore):
        fuzzCheck(buffer.readerIndex == 0, "waiting for more bytes consumed \(buffer.readerIndex)")
    case (.failure(.badPrefaceMagic), .badMagic), (.failure(.malformedPreface), .malformed):
        fuzzCheck(buffer.readerIndex == 0, "a refusal consumed \(buffer.readerIndex) bytes")
    default:
        fuzzCheck(false, "Preface.read gave \(result), the WIRE.md reading \(expected), for \(bytes)")
    }
    checkByteByByte(bytes, against: result)
    return 0
}

/// Property 3: the decoder, fed one byte at a time, ends as `Preface.read` on all of it.
func checkByteByByte(_ bytes: [UInt8], against whole: Result<Preface?, FrameDecodingError>) {
    var decoder = FrameDecoder(expectsPreface: true)
    var buffer = ByteBuffer()
    for (index, byte) in bytes.enumerated() {
        buffer.writeInteger(byte)
        do {
            guard let item = try decoder.decode(buffer: &buffer) else { continue }
            guard case .success(let preface?) = whole, item == .preface(preface) else {
                fuzzCheck(false, "byte by byte gave \(item) after \(index + 1) bytes, at once \(whole)")
                return
            }
            return
        } catch {
            guard case .failure(let wholeError) = whole, wholeError == error else {
                fuzzCheck(false, "byte by byte failed with \(error) after \(index + 1) bytes, at once \(whole)")
                return
            }
            return
        }
    }
    guard case .success(nil) = whole else {
        fuzzCheck(false, "byte by byte still waits after all \(bytes.count) bytes, at once \(whole)")
        return
    }
}

/// Property 4.
func checkNegotiation(_ peer: Preface) {
    let local = Preface()
    switch local.negotiate(with: peer) {
    case .success(let settings):
        fuzzCheck(
            (peer.minVersion...peer.maxVersion).contains(settings.version)
                && (local.minVersion...local.maxVersion).contains(settings.version)
                && settings.version == min(peer.maxVersion, local.maxVersion),
            "negotiated version \(settings.version) is not the highest both speak")
        fuzzCheck(settings.peer == peer && settings.local == local, "negotiation changed a preface")
    case .failure:
        fuzzCheck(peer.minVersion > local.maxVersion || peer.maxVersion < local.minVersion, "negotiation with \(peer) failed although both speak a version")
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    SeedCorpus.writeIfAsked {
        let prefaces: [(String, Preface)] = [
            ("default", Preface()),
            ("small", Preface(maxFrameSize: 16_384, initialStreamCredit: 4096, initialConnectionCredit: 8192, maxConcurrentStreams: 4)),
            ("largest", Preface(minVersion: 1, maxVersion: 0xFFFF, maxFrameSize: 16 << 20, initialStreamCredit: Preface.maximumWindow,
                                initialConnectionCredit: Preface.maximumWindow, maxConcurrentStreams: .max)),
            ("extensions", Preface(extensions: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8]))),
            ("version-2-only", Preface(minVersion: 2, maxVersion: 2)),
        ]
        return prefaces.map { name, preface in
            var buffer = ByteBuffer()
            preface.write(to: &buffer)
            return (name: name, bytes: Array(buffer.readableBytesView))
        }
    }
    return 0
}

/// The entry point (see `FuzzDriver`).
@_cdecl("FuzzPreface_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzz)
}
