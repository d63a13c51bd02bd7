// swift-tools-version: 6.1
import PackageDescription

/// Coverage-guided fuzz targets for Kiem (libFuzzer). A package of its own,
/// so that the main build and CI never build it: `run.sh` builds it with
/// `-sanitize=fuzzer,address` (every module, Kiem's included, instrumented)
/// and `-enable-testing`, since some targets drive Kiem's internal decoding
/// path with `@testable import`. See docs/fuzzing.md.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// A product of the main package.
func kiem(_ name: String) -> Target.Dependency { .product(name: name, package: "Kiem") }

/// One fuzz target: an executable whose `LLVMFuzzerTestOneInput` libFuzzer drives.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, swiftSettings: swiftSettings)
}

let package = Package(
    name: "KiemFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Kiem", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], swiftSettings: swiftSettings),
        fuzzTarget("FuzzFrameDecoder", [kiem("KiemWire"), .product(name: "NIOCore", package: "swift-nio")]),
        fuzzTarget("FuzzPreface", [kiem("KiemWire"), .product(name: "NIOCore", package: "swift-nio")]),
        fuzzTarget("FuzzOpBatch", [
            kiem("KiemCore"), kiem("KiemStore"), kiem("KiemProtocol"), kiem("KiemNode"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        fuzzTarget("FuzzConfiguration", [kiem("KiemCore"), kiem("KiemConfiguration")]),
    ]
)
