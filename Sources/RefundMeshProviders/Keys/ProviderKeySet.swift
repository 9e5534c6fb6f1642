import Crypto
import Foundation
import _CryptoExtras

/// A complete set of provider credentials: what the provider sandbox and the services share in
/// development, as files in one directory.
///
/// Files (``FileName``), all PEM keys PKCS#8 (private) / SPKI (public):
/// - `wechatpay-merchant-private.pem`, `wechatpay-merchant-public.pem`, `wechatpay-merchant-serial.txt`:
///   the merchant's API certificate key; requests are signed with it.
/// - `wechatpay-platform-private.pem`, `wechatpay-platform-public.pem`, `wechatpay-platform-serial.txt`:
///   WeChat Pay's platform key; responses and notifications are signed with it.
/// - `wechatpay-apiv3.key`: the 32-character APIv3 key encrypting notification resources.
/// - `alipay-app-private.pem`, `alipay-app-public.pem`: the app's key pair (signs requests).
/// - `alipay-private.pem`, `alipay-public.pem`: Alipay's key pair (signs responses, notifications).
/// - `bank-hmac.key`, `operator-hmac.key`: shared HMAC-SHA256 secrets.
/// - `sms-account.txt`, `sms-secret.key`: the SMS provider account and its HMAC secret.
/// - `providers.env`: the `*_FILE` settings and development identifiers pointing at these files.
///
/// Real credentials are installed by pointing the `*_FILE` settings at them; nothing else changes.
public struct ProviderKeySet: Sendable {
    /// File names inside a key set directory.
    public enum FileName {
        public static let weChatPayMerchantPrivateKey = "wechatpay-merchant-private.pem"
        public static let weChatPayMerchantPublicKey = "wechatpay-merchant-public.pem"
        public static let weChatPayMerchantSerial = "wechatpay-merchant-serial.txt"
        public static let weChatPayPlatformPrivateKey = "wechatpay-platform-private.pem"
        public static let weChatPayPlatformPublicKey = "wechatpay-platform-public.pem"
        public static let weChatPayPlatformSerial = "wechatpay-platform-serial.txt"
        public static let weChatPayAPIv3Key = "wechatpay-apiv3.key"
        public static let alipayAppPrivateKey = "alipay-app-private.pem"
        public static let alipayAppPublicKey = "alipay-app-public.pem"
        public static let alipayPrivateKey = "alipay-private.pem"
        public static let alipayPublicKey = "alipay-public.pem"
        public static let bankHMACKey = "bank-hmac.key"
        public static let operatorHMACKey = "operator-hmac.key"
        public static let smsAccount = "sms-account.txt"
        public static let smsSecret = "sms-secret.key"
        public static let environment = "providers.env"
    }

    /// Development identifiers written to `providers.env` (real ones come from the providers).
    public enum DevelopmentIdentity {
        public static let weChatPayMerchantID = "1900000109"
        public static let alipayAppID = "2021000000000001"
        public static let bankMerchantID = "RM-BANK-0001"
        public static let operatorClientID = "refundmesh-review"
    }

    public var weChatPayMerchantKey: _RSA.Signing.PrivateKey
    public var weChatPayMerchantSerial: String
    public var weChatPayPlatformKey: _RSA.Signing.PrivateKey
    public var weChatPayPlatformSerial: String
    /// 32 ASCII characters.
    public var weChatPayAPIv3Key: String
    public var alipayAppKey: _RSA.Signing.PrivateKey
    public var alipayKey: _RSA.Signing.PrivateKey
    public var bankHMACKey: String
    public var operatorHMACKey: String
    public var smsAccount: String
    public var smsSecret: String

    public init(
        weChatPayMerchantKey: _RSA.Signing.PrivateKey,
        weChatPayMerchantSerial: String,
        weChatPayPlatformKey: _RSA.Signing.PrivateKey,
        weChatPayPlatformSerial: String,
        weChatPayAPIv3Key: String,
        alipayAppKey: _RSA.Signing.PrivateKey,
        alipayKey: _RSA.Signing.PrivateKey,
        bankHMACKey: String,
        operatorHMACKey: String,
        smsAccount: String,
        smsSecret: String
    ) {
        self.weChatPayMerchantKey = weChatPayMerchantKey
        self.weChatPayMerchantSerial = weChatPayMerchantSerial
        self.weChatPayPlatformKey = weChatPayPlatformKey
        self.weChatPayPlatformSerial = weChatPayPlatformSerial
        self.weChatPayAPIv3Key = weChatPayAPIv3Key
        self.alipayAppKey = alipayAppKey
        self.alipayKey = alipayKey
        self.bankHMACKey = bankHMACKey
        self.operatorHMACKey = operatorHMACKey
        self.smsAccount = smsAccount
        self.smsSecret = smsSecret
    }

    /// Generates fresh development credentials: four RSA-2048 key pairs, random serials and secrets.
    public static func generateDevelopment() throws -> ProviderKeySet {
        ProviderKeySet(
            weChatPayMerchantKey: try _RSA.Signing.PrivateKey(keySize: .bits2048),
            weChatPayMerchantSerial: RandomText.hex(bytes: 20),
            weChatPayPlatformKey: try _RSA.Signing.PrivateKey(keySize: .bits2048),
            weChatPayPlatformSerial: RandomText.hex(bytes: 20),
            weChatPayAPIv3Key: RandomText.alphanumeric(count: 32),
            alipayAppKey: try _RSA.Signing.PrivateKey(keySize: .bits2048),
            alipayKey: try _RSA.Signing.PrivateKey(keySize: .bits2048),
            bankHMACKey: RandomText.hex(bytes: 32),
            operatorHMACKey: RandomText.hex(bytes: 32),
            smsAccount: "refundmesh-sms",
            smsSecret: RandomText.hex(bytes: 32)
        )
    }

    /// True when `directory` holds every file of a key set.
    public static func exists(in directory: String) -> Bool {
        allFileNames.allSatisfy { FileManager.default.fileExists(atPath: directory + "/" + $0) }
    }

    static let allFileNames = [
        FileName.weChatPayMerchantPrivateKey, FileName.weChatPayMerchantSerial, FileName.weChatPayPlatformPrivateKey,
        FileName.weChatPayPlatformSerial, FileName.weChatPayAPIv3Key, FileName.alipayAppPrivateKey,
        FileName.alipayPrivateKey, FileName.bankHMACKey, FileName.operatorHMACKey, FileName.smsAccount,
        FileName.smsSecret,
    ]

    /// Writes every file of the set (and `providers.env`) into `directory`, creating it if needed.
    /// Private keys and secrets are written with mode 0600.
    public func write(to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ProviderKeyError(path: directory, reason: "cannot be created (\(error.localizedDescription))")
        }
        let files: [(String, String, Bool)] = [
            (FileName.weChatPayMerchantPrivateKey, weChatPayMerchantKey.pkcs8PEMRepresentation, true),
            (FileName.weChatPayMerchantPublicKey, weChatPayMerchantKey.publicKey.pemRepresentation, false),
            (FileName.weChatPayMerchantSerial, weChatPayMerchantSerial, false),
            (FileName.weChatPayPlatformPrivateKey, weChatPayPlatformKey.pkcs8PEMRepresentation, true),
            (FileName.weChatPayPlatformPublicKey, weChatPayPlatformKey.publicKey.pemRepresentation, false),
            (FileName.weChatPayPlatformSerial, weChatPayPlatformSerial, false),
            (FileName.weChatPayAPIv3Key, weChatPayAPIv3Key, true),
            (FileName.alipayAppPrivateKey, alipayAppKey.pkcs8PEMRepresentation, true),
            (FileName.alipayAppPublicKey, alipayAppKey.publicKey.pemRepresentation, false),
            (FileName.alipayPrivateKey, alipayKey.pkcs8PEMRepresentation, true),
            (FileName.alipayPublicKey, alipayKey.publicKey.pemRepresentation, false),
            (FileName.bankHMACKey, bankHMACKey, true),
            (FileName.operatorHMACKey, operatorHMACKey, true),
            (FileName.smsAccount, smsAccount, false),
            (FileName.smsSecret, smsSecret, true),
        ]
        for (name, contents, secret) in files {
            try KeyFile.write(contents + "\n", to: directory + "/" + name, secret: secret)
        }
        let lines = environment(directory: directory).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        try KeyFile.write(
            lines.joined(separator: "\n") + "\n",
            to: directory + "/" + FileName.environment,
            secret: false
        )
    }

    /// Loads a set written by ``write(to:)``.
    /// - Throws: ``ProviderKeyError`` naming the first missing or unusable file.
    public static func load(from directory: String) throws -> ProviderKeySet {
        func path(_ name: String) -> String { directory + "/" + name }
        return ProviderKeySet(
            weChatPayMerchantKey: try KeyFile.rsaPrivateKey(at: path(FileName.weChatPayMerchantPrivateKey)),
            weChatPayMerchantSerial: try KeyFile.text(at: path(FileName.weChatPayMerchantSerial)),
            weChatPayPlatformKey: try KeyFile.rsaPrivateKey(at: path(FileName.weChatPayPlatformPrivateKey)),
            weChatPayPlatformSerial: try KeyFile.text(at: path(FileName.weChatPayPlatformSerial)),
            weChatPayAPIv3Key: try KeyFile.text(at: path(FileName.weChatPayAPIv3Key)),
            alipayAppKey: try KeyFile.rsaPrivateKey(at: path(FileName.alipayAppPrivateKey)),
            alipayKey: try KeyFile.rsaPrivateKey(at: path(FileName.alipayPrivateKey)),
            bankHMACKey: try KeyFile.text(at: path(FileName.bankHMACKey)),
            operatorHMACKey: try KeyFile.text(at: path(FileName.operatorHMACKey)),
            smsAccount: try KeyFile.text(at: path(FileName.smsAccount)),
            smsSecret: try KeyFile.text(at: path(FileName.smsSecret))
        )
    }

    /// Loads the set in `directory`, or generates and writes one when the directory has none.
    public static func loadOrCreate(in directory: String) throws -> ProviderKeySet {
        if exists(in: directory) { return try load(from: directory) }
        let keys = try generateDevelopment()
        try keys.write(to: directory)
        return keys
    }

    /// The client-side settings (``WeChatPayConfiguration``, ``AlipayConfiguration``,
    /// ``BankCardConfiguration``, ``GameOperatorConfiguration``) for a key set in `directory`,
    /// with the development identifiers; add the `*_BASE_URL`/`*_GATEWAY_URL` and `*_NOTIFY_URL`
    /// settings for the host you talk to (``environment(directory:baseURL:notifyBaseURL:)``).
    public func environment(directory: String) -> [String: String] {
        func path(_ name: String) -> String { directory + "/" + name }
        return [
            "WECHATPAY_MCHID": DevelopmentIdentity.weChatPayMerchantID,
            "WECHATPAY_MERCHANT_SERIAL": weChatPayMerchantSerial,
            "WECHATPAY_MERCHANT_KEY_FILE": path(FileName.weChatPayMerchantPrivateKey),
            "WECHATPAY_PLATFORM_SERIAL": weChatPayPlatformSerial,
            "WECHATPAY_PLATFORM_PUBLIC_KEY_FILE": path(FileName.weChatPayPlatformPublicKey),
            "WECHATPAY_APIV3_KEY_FILE": path(FileName.weChatPayAPIv3Key),
            "ALIPAY_APP_ID": DevelopmentIdentity.alipayAppID,
            "ALIPAY_APP_PRIVATE_KEY_FILE": path(FileName.alipayAppPrivateKey),
            "ALIPAY_PUBLIC_KEY_FILE": path(FileName.alipayPublicKey),
            "BANK_MERCHANT_ID": DevelopmentIdentity.bankMerchantID,
            "BANK_HMAC_KEY_FILE": path(FileName.bankHMACKey),
            "OPERATOR_CLIENT_ID": DevelopmentIdentity.operatorClientID,
            "OPERATOR_HMAC_KEY_FILE": path(FileName.operatorHMACKey),
            "SMS_ACCOUNT_FILE": path(FileName.smsAccount),
            "SMS_SECRET_FILE": path(FileName.smsSecret),
        ]
    }

    /// ``environment(directory:)`` plus base URLs pointing every provider at one host (the sandbox)
    /// and notify URLs under `notifyBaseURL` (`/notify/wechatpay`, `/notify/alipay`, `/notify/bank`).
    public func environment(directory: String, baseURL: String, notifyBaseURL: String) -> [String: String] {
        var environment = self.environment(directory: directory)
        let baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let notifyBaseURL = notifyBaseURL.hasSuffix("/") ? String(notifyBaseURL.dropLast()) : notifyBaseURL
        environment["WECHATPAY_BASE_URL"] = baseURL
        environment["ALIPAY_GATEWAY_URL"] = baseURL + "/gateway.do"
        environment["BANK_BASE_URL"] = baseURL
        environment["OPERATOR_BASE_URL"] = baseURL
        environment["WECHATPAY_NOTIFY_URL"] = notifyBaseURL + "/notify/wechatpay"
        environment["ALIPAY_NOTIFY_URL"] = notifyBaseURL + "/notify/alipay"
        environment["BANK_NOTIFY_URL"] = notifyBaseURL + "/notify/bank"
        return environment
    }
}
