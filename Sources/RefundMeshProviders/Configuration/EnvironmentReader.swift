import Crypto
import Foundation
import _CryptoExtras

/// Reads provider settings from an environment dictionary; every error names the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func optional(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func required(_ name: String) throws -> String {
        guard let value = optional(name) else {
            throw ProviderConfigurationError(variable: name, message: "is not set")
        }
        return value
    }

    /// An http(s) URL without a trailing slash.
    func url(_ name: String, default defaultValue: String? = nil) throws -> String {
        guard let value = optional(name) ?? defaultValue else {
            throw ProviderConfigurationError(
                variable: name,
                message: "is not set (expected an http:// or https:// URL)"
            )
        }
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
            throw ProviderConfigurationError(variable: name, message: "\"\(value)\" is not an http:// or https:// URL")
        }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    func milliseconds(_ name: String, default defaultValue: Duration) throws -> Duration {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Int64(text), value > 0 else {
            throw ProviderConfigurationError(
                variable: name,
                message: "\"\(text)\" is not a positive number of milliseconds"
            )
        }
        return .milliseconds(value)
    }

    /// A value given directly (`NAME`) or in a file (`NAME_FILE`).
    func valueOrFile(_ name: String) throws -> String {
        if let value = optional(name) { return value }
        if let path = optional(name + "_FILE") {
            return try wrap(name + "_FILE") { try KeyFile.text(at: path) }
        }
        throw ProviderConfigurationError(variable: name, message: "is not set (nor \(name)_FILE)")
    }

    func rsaPrivateKey(_ name: String) throws -> _RSA.Signing.PrivateKey {
        let path = try required(name)
        return try wrap(name) { try KeyFile.rsaPrivateKey(at: path) }
    }

    func rsaPublicKey(_ name: String) throws -> _RSA.Signing.PublicKey {
        let path = try required(name)
        return try wrap(name) { try KeyFile.rsaPublicKey(at: path) }
    }

    func hmacKey(_ name: String) throws -> SecretKey {
        let path = try required(name)
        return try wrap(name) { try KeyFile.hmacKey(at: path) }
    }

    func apiV3Key(_ name: String) throws -> SecretKey {
        let path = try required(name)
        return try wrap(name) { try KeyFile.weChatPayAPIv3Key(at: path) }
    }

    private func wrap<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw ProviderConfigurationError(variable: name, message: "\(error)")
        }
    }
}
