// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Quire",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "quire", targets: ["quire"]),
        .library(name: "QuireCore", targets: ["QuireCore"]),
        .library(name: "QuireProviders", targets: ["QuireProviders"]),
        .library(name: "QuireRunner", targets: ["QuireRunner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Pure core: parsing, templates, validation, planning, post-processing, diffing.
        // No file system, network, clock or process access here.
        .target(
            name: "QuireCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Effects: OpenAI-compatible Chat Completions over HTTP, retries, rate limits.
        .target(
            name: "QuireProviders",
            dependencies: [
                "QuireCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Orchestration and the real file system / clock / environment.
        .target(
            name: "QuireRunner",
            dependencies: ["QuireCore", "QuireProviders"]
        ),
        // The run history: `.quire/history.sqlite` (SQLite through GRDB), kept apart so the other modules
        // never link SQLite.
        .target(
            name: "QuireHistory",
            dependencies: ["QuireCore", "QuireRunner", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The thin command-line interface: the only place that wires real implementations together.
        .executableTarget(
            name: "quire",
            dependencies: [
                "QuireCore",
                "QuireRunner",
                "QuireHistory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test doubles: a fake OpenAI-compatible server speaking real HTTP, in-memory files.
        .target(
            name: "QuireTestSupport",
            dependencies: [
                "QuireCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Benchmarks (benchmarks/README.md): an in-process template timer and the fake model server as a process.
        .executableTarget(name: "quire-bench", dependencies: ["QuireCore", "QuireRunner"]),
        .executableTarget(name: "quire-fake-server", dependencies: ["QuireCore", "QuireTestSupport"]),
        .testTarget(
            name: "QuireCoreTests",
            dependencies: ["QuireCore", "QuireTestSupport", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "QuireProvidersTests",
            dependencies: ["QuireProviders", "QuireTestSupport"]
        ),
        .testTarget(
            name: "QuireRunnerTests",
            dependencies: ["QuireRunner", "QuireTestSupport"]
        ),
        .testTarget(
            name: "QuireCLITests",
            dependencies: ["quire", "QuireCore", "QuireRunner", "QuireHistory", "QuireTestSupport"]
        ),
    ]
)
