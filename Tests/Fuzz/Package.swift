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
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: [
                "FuzzSupport",
                .product(name: "KiemProtocol", package: "Kiem"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzPreface",
            dependencies: [
                "FuzzSupport",
                .product(name: "KiemProtocol", package: "Kiem"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzOpBatch",
            dependencies: [
                "FuzzSupport",
                .product(name: "KiemCore", package: "Kiem"),
                .product(name: "KiemStore", package: "Kiem"),
                .product(name: "KiemProtocol", package: "Kiem"),
                .product(name: "KiemNode", package: "Kiem"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzConfiguration",
            dependencies: [
                "FuzzSupport",
                .product(name: "KiemNode", package: "Kiem"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
