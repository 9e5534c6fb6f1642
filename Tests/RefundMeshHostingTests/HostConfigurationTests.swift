import RefundMeshHosting
import Testing

@Suite("HostConfiguration: the settings every service shares")
struct HostConfigurationTests {
    @Test(
        "metrics port: the service's default, 0 when the RPC port is 0, a number, or off; bad values name the variable"
    )
    func metricsPort() throws {
        let plain = try HostConfiguration(
            serviceName: "intake",
            defaultPort: 7001,
            defaultMetricsPort: 9101,
            environment: [:]
        )
        #expect(plain.metricsPort == 9101 && plain.metricsHost == nil && plain.logFormat == .text)
        let ephemeral = try HostConfiguration(
            serviceName: "intake",
            defaultPort: 7001,
            defaultMetricsPort: 9101,
            environment: ["INTAKE_PORT": "0"]
        )
        #expect(ephemeral.metricsPort == 0)
        let set = try HostConfiguration(
            serviceName: "payment-channel",
            defaultPort: 7003,
            defaultMetricsPort: 9103,
            environment: [
                "PAYMENT_CHANNEL_PORT": "0", "PAYMENT_CHANNEL_METRICS_PORT": "9200",
                "PAYMENT_CHANNEL_METRICS_HOST": "0.0.0.0", "REFUNDMESH_LOG_FORMAT": "JSON",
            ]
        )
        #expect(set.metricsPort == 9200 && set.metricsHost == "0.0.0.0" && set.logFormat == .json)
        let off = try HostConfiguration(
            serviceName: "review",
            defaultPort: 7002,
            defaultMetricsPort: 9102,
            environment: ["REVIEW_METRICS_PORT": "off"]
        )
        #expect(off.metricsPort == nil)
        #expect(
            throws: HostConfigurationError(
                variable: "REVIEW_METRICS_PORT",
                value: "99999",
                expected: "a port number 0...65535, or off"
            )
        ) {
            _ = try HostConfiguration(
                serviceName: "review",
                defaultPort: 7002,
                environment: ["REVIEW_METRICS_PORT": "99999"]
            )
        }
        #expect(throws: HostConfigurationError.self) {
            _ = try HostConfiguration(
                serviceName: "review",
                defaultPort: 7002,
                environment: ["REVIEW_LOG_FORMAT": "xml"]
            )
        }
    }

    @Test("the flags act as their variables: --port 0 moves the metrics port to 0 too")
    func flags() throws {
        var options = try HostOptions.parse(["--port", "0", "--data-dir", "/tmp/x"])
        var settings = try options.settings(
            serviceName: "intake",
            defaultPort: 7001,
            defaultMetricsPort: 9101,
            environment: [:]
        )
        #expect(settings.port == 0 && settings.metricsPort == 0 && settings.dataDirectory == "/tmp/x")
        options = try HostOptions.parse(["--port", "0", "--metrics-port", "off"])
        settings = try options.settings(
            serviceName: "intake",
            defaultPort: 7001,
            defaultMetricsPort: 9101,
            environment: [:]
        )
        #expect(settings.metricsPort == nil)
    }

    @Test("memory trimming: every 10 s by default, the service's variable over the shared one, 0 or off for never")
    func memoryTrimInterval() throws {
        func interval(_ environment: [String: String]) throws -> Duration? {
            try HostConfiguration(serviceName: "payment-channel", defaultPort: 7003, environment: environment)
                .memoryTrimInterval
        }
        #expect(try interval([:]) == .seconds(10))
        #expect(try interval(["REFUNDMESH_MEMORY_TRIM_SECONDS": "30"]) == .seconds(30))
        #expect(
            try interval(["REFUNDMESH_MEMORY_TRIM_SECONDS": "30", "PAYMENT_CHANNEL_MEMORY_TRIM_SECONDS": "5"])
                == .seconds(5)
        )
        #expect(try interval(["REFUNDMESH_MEMORY_TRIM_SECONDS": "off"]) == nil)
        #expect(try interval(["PAYMENT_CHANNEL_MEMORY_TRIM_SECONDS": "0"]) == nil)
        #expect(
            throws: HostConfigurationError(
                variable: "PAYMENT_CHANNEL_MEMORY_TRIM_SECONDS",
                value: "1.5",
                expected: "whole seconds 1...3600, or 0 / off to never trim"
            )
        ) {
            _ = try interval(["REFUNDMESH_MEMORY_TRIM_SECONDS": "1.5"])
        }
    }
}
