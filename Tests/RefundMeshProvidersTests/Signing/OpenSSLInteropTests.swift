import Foundation
import Testing

@testable import RefundMeshProviders

/// SHA256withRSA (PKCS#1 v1.5) checked against an independent implementation: the openssl tool.
@Suite(
    "SHA256withRSA interoperates with openssl",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"))
)
struct OpenSSLInteropTests {
    private func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
        return data
    }

    @Test("our signature verifies with openssl, and openssl's signature verifies with us and is byte-identical")
    func crossVerify() throws {
        let directory = TestProviders.directory
        _ = TestProviders.keys
        let message = Data("POST\n/v3/refund/domestic/refunds\n1554208460\nNONCE\n{\"a\":1}\n".utf8)
        let messagePath = directory + "/message-\(UUID().uuidString).txt"
        try message.write(to: URL(fileURLWithPath: messagePath))
        let privateKey = directory + "/" + ProviderKeySet.FileName.weChatPayMerchantPrivateKey
        let publicKey = directory + "/" + ProviderKeySet.FileName.weChatPayMerchantPublicKey

        let theirs = try openssl(["dgst", "-sha256", "-sign", privateKey, messagePath])
        let ours = try SHA256WithRSA.sign(message, with: TestProviders.keys.weChatPayMerchantKey)
        #expect(ours == theirs.base64EncodedString())  // PKCS#1 v1.5 is deterministic

        let signaturePath = messagePath + ".sig"
        try #require(Data(base64Encoded: ours)).write(to: URL(fileURLWithPath: signaturePath))
        let verified = try openssl(["dgst", "-sha256", "-verify", publicKey, "-signature", signaturePath, messagePath])
        #expect(String(decoding: verified, as: UTF8.self).contains("Verified OK"))
        try SHA256WithRSA.verify(
            theirs.base64EncodedString(),
            message: message,
            key: TestProviders.keys.weChatPayMerchantKey.publicKey,
            field: "signature"
        )
    }

    @Test("PKCS#1 private keys and PKCS#1 public keys written by openssl load")
    func pkcs1Keys() throws {
        let directory = TestProviders.directory
        _ = TestProviders.keys
        let pkcs8 = directory + "/" + ProviderKeySet.FileName.alipayAppPrivateKey
        let pkcs1 = directory + "/pkcs1-\(UUID().uuidString).pem"
        let converted = try openssl(["rsa", "-in", pkcs8, "-traditional"])
        try converted.write(to: URL(fileURLWithPath: pkcs1))
        #expect(String(decoding: converted, as: UTF8.self).contains("BEGIN RSA PRIVATE KEY"))
        let key = try KeyFile.rsaPrivateKey(at: pkcs1)
        #expect(key.publicKey.derRepresentation == TestProviders.keys.alipayAppKey.publicKey.derRepresentation)
        // A bare base64 DER body (Alipay key tool style) loads too.
        let bare = directory + "/bare-\(UUID().uuidString).txt"
        try TestProviders.keys.alipayKey.publicKey.derRepresentation.base64EncodedString()
            .write(toFile: bare, atomically: true, encoding: .utf8)
        #expect(
            try KeyFile.rsaPublicKey(at: bare).derRepresentation
                == TestProviders.keys.alipayKey.publicKey.derRepresentation
        )
    }
}
