import Foundation
import Testing

@testable import RefundMeshProviders

@Suite("Key sets and provider settings from the environment")
struct ProviderKeySetTests {
    @Test("a written key set loads back identical, with secrets readable by the owner only")
    func writeAndLoad() throws {
        let keys = TestProviders.keys
        let directory = TestProviders.directory
        #expect(ProviderKeySet.exists(in: directory))
        let loaded = try ProviderKeySet.load(from: directory)
        #expect(loaded.weChatPayMerchantKey.derRepresentation == keys.weChatPayMerchantKey.derRepresentation)
        #expect(loaded.weChatPayPlatformKey.derRepresentation == keys.weChatPayPlatformKey.derRepresentation)
        #expect(loaded.alipayAppKey.derRepresentation == keys.alipayAppKey.derRepresentation)
        #expect(loaded.alipayKey.derRepresentation == keys.alipayKey.derRepresentation)
        #expect(loaded.weChatPayMerchantSerial == keys.weChatPayMerchantSerial)
        #expect(loaded.weChatPayAPIv3Key == keys.weChatPayAPIv3Key)
        #expect(loaded.weChatPayAPIv3Key.utf8.count == 32)
        #expect(loaded.bankHMACKey == keys.bankHMACKey)
        #expect(loaded.operatorHMACKey == keys.operatorHMACKey)
        #expect(loaded.smsSecret == keys.smsSecret)
        let attributes = try FileManager.default.attributesOfItem(
            atPath: directory + "/" + ProviderKeySet.FileName.bankHMACKey
        )
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let publicText = try String(
            contentsOfFile: directory + "/" + ProviderKeySet.FileName.alipayPublicKey,
            encoding: .utf8
        )
        #expect(publicText.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let privateText = try String(
            contentsOfFile: directory + "/" + ProviderKeySet.FileName.alipayPrivateKey,
            encoding: .utf8
        )
        #expect(privateText.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let env = try String(contentsOfFile: directory + "/" + ProviderKeySet.FileName.environment, encoding: .utf8)
        #expect(env.contains("WECHATPAY_MERCHANT_KEY_FILE=\(directory)/wechatpay-merchant-private.pem"))
    }

    @Test("a missing file is named in the error")
    func missingFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(!ProviderKeySet.exists(in: directory))
        let error = #expect(throws: ProviderKeyError.self) { try ProviderKeySet.load(from: directory) }
        #expect(error?.path.hasSuffix(ProviderKeySet.FileName.weChatPayMerchantPrivateKey) == true)
    }

    @Test("configurations load from the key set's settings")
    func configurations() throws {
        let environment = TestProviders.environment(baseURL: "http://127.0.0.1:9/")
        let wechat = try WeChatPayConfiguration(environment: environment)
        #expect(wechat.baseURL == "http://127.0.0.1:9")
        #expect(wechat.merchantSerial == TestProviders.keys.weChatPayMerchantSerial)
        #expect(wechat.apiV3Key.byteCount == 32)
        #expect(wechat.timeout == .milliseconds(20_000))
        #expect(wechat.allowedClockSkew == .seconds(300))
        let alipay = try AlipayConfiguration(environment: environment)
        #expect(alipay.gatewayURL == "http://127.0.0.1:9/gateway.do")
        let bank = try BankCardConfiguration(environment: environment)
        #expect(bank.merchantID == ProviderKeySet.DevelopmentIdentity.bankMerchantID)
        let gameOperator = try GameOperatorConfiguration(environment: environment)
        #expect(gameOperator.clientID == ProviderKeySet.DevelopmentIdentity.operatorClientID)
        #expect(gameOperator.timeout == .milliseconds(20_000))
    }

    @Test(
        "a missing or unusable setting names its variable",
        arguments: [
            ("WECHATPAY_MCHID", nil), ("WECHATPAY_MERCHANT_KEY_FILE", "/nonexistent/key.pem"),
            ("WECHATPAY_APIV3_KEY_FILE", "BANK_HMAC"), ("WECHATPAY_TIMEOUT_MS", "soon"),
            ("WECHATPAY_BASE_URL", "ftp://x"),
            ("WECHATPAY_PLATFORM_PUBLIC_KEY_FILE", "BANK_HMAC"), ("WECHATPAY_NOTIFY_URL", nil),
        ] as [(String, String?)]
    )
    func wechatSettingErrors(variable: String, value: String?) throws {
        var environment = TestProviders.environment(baseURL: "http://127.0.0.1:9")
        // "BANK_HMAC" stands for "a file that exists but holds the wrong kind of key".
        environment[variable] = value == "BANK_HMAC" ? environment["BANK_HMAC_KEY_FILE"] : value
        let error = #expect(throws: ProviderConfigurationError.self) {
            try WeChatPayConfiguration(environment: environment)
        }
        #expect(error?.variable == variable)
    }

    @Test("bank, operator and Alipay settings name their variables too")
    func otherSettingErrors() throws {
        var environment = TestProviders.environment(baseURL: "http://127.0.0.1:9")
        environment["BANK_BASE_URL"] = nil
        #expect(
            (#expect(throws: ProviderConfigurationError.self) { try BankCardConfiguration(environment: environment) })?
                .variable == "BANK_BASE_URL"
        )
        environment["OPERATOR_HMAC_KEY_FILE"] = "/nonexistent"
        #expect(
            (#expect(throws: ProviderConfigurationError.self) {
                try GameOperatorConfiguration(environment: environment)
            })?.variable
                == "OPERATOR_HMAC_KEY_FILE"
        )
        environment["ALIPAY_APP_ID"] = " "
        #expect(
            (#expect(throws: ProviderConfigurationError.self) { try AlipayConfiguration(environment: environment) })?
                .variable == "ALIPAY_APP_ID"
        )
    }
}
