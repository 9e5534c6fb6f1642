import Testing

@testable import RefundMeshPostgres

@Suite("PostgresStore.Configuration: connection strings")
struct PostgresStoreConfigurationTests {
    @Test func fullURL() throws {
        let configuration = try PostgresStore.Configuration(
            url: "postgres://intake:s%40cret@db.internal:6543/refunds?sslmode=require&application_name=intake-1"
        )
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "intake")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "refunds")
        #expect(configuration.tls == .require)
        #expect(configuration.applicationName == "intake-1")
    }

    @Test func defaults() throws {
        let configuration = try PostgresStore.Configuration(url: "postgresql://review@localhost/review")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
        #expect(configuration.tls == .prefer)
        #expect(configuration.applicationName == "refundmesh")
    }

    @Test(
        arguments: [
            ("mysql://u@h/d", "scheme"),
            ("postgres://h/d", "no user name"),
            ("postgres://u@h", "no database name"),
            ("postgres://u@h/d?sslmode=verify-full", "sslmode must be"),
            ("postgres://u@h/d?pool=3", "unknown parameter pool"),
            ("postgres://u:topsecret@h:70000/d", "port 70000 is out of range"),
        ]
    )
    func rejected(url: String, reason: String) {
        #expect {
            try PostgresStore.Configuration(url: url)
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            // The message says what is wrong, and never repeats a password back.
            return error.code == .invalidConfiguration && error.message.contains(reason)
                && !error.message.contains("topsecret")
        }
    }
}
