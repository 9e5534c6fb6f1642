import Foundation
import Hummingbird
import Logging
import RefundMeshHosting
import RefundMeshProviders
import ServiceLifecycle

/// payment-channel's HTTP endpoint for providers' asynchronous notifications (R-C9), a
/// swift-service-lifecycle `Service` next to the RPC server:
///
/// | route | provider | answer |
/// |---|---|---|
/// | `POST /notify/wechatpay` | WeChat Pay v3 | 204; 4xx/5xx `{"code","message"}` to be sent again |
/// | `POST /notify/alipay` | Alipay | `success`; `fail` to be sent again |
/// | `POST /notify/bank` | bank card | 200 `{"code":"SUCCESS"}`; 4xx/5xx to be sent again |
///
/// These are the paths ``ProviderKeySet/environment(directory:baseURL:notifyBaseURL:)`` puts into
/// `WECHATPAY_NOTIFY_URL`, `ALIPAY_NOTIFY_URL` and `BANK_NOTIFY_URL`. The work is
/// ``ProviderNotificationReceiver``'s; this type only carries bytes.
public struct ProviderNotificationServer: Service {
    /// Where the endpoint listens.
    public struct Configuration: Sendable, Hashable {
        /// `PAYMENT_CHANNEL_NOTIFY_HOST`, default 127.0.0.1.
        public var host: String
        /// `PAYMENT_CHANNEL_NOTIFY_PORT`, default 7013; 0 asks the kernel for a free port.
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 7013) {
            self.host = host
            self.port = port
        }

        /// Reads `PAYMENT_CHANNEL_NOTIFY_HOST` and `PAYMENT_CHANNEL_NOTIFY_PORT` over the defaults.
        /// - Throws: ``NotifyConfigurationError`` naming a malformed variable.
        public init(environment: [String: String]) throws {
            self.init()
            if let host = environment["PAYMENT_CHANNEL_NOTIFY_HOST"], !host.isEmpty { self.host = host }
            if let text = environment["PAYMENT_CHANNEL_NOTIFY_PORT"], !text.isEmpty {
                guard let port = Int(text), (0...65_535).contains(port) else {
                    throw NotifyConfigurationError(
                        variable: "PAYMENT_CHANNEL_NOTIFY_PORT",
                        value: text,
                        expected: "a port number 0...65535"
                    )
                }
                self.port = port
            }
        }
    }

    /// The largest notification body read (real ones are a few kilobytes).
    static let maximumBodySize = 1 << 20

    public let configuration: Configuration
    public let receiver: ProviderNotificationReceiver
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameter onListening: called with the bound port once the server listens (tests bind 0).
    public init(
        configuration: Configuration,
        receiver: ProviderNotificationReceiver,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.receiver = receiver
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router()
        let receiver = self.receiver
        router.post("notify/wechatpay") { request, _ in
            try await Self.exchange(request) { await receiver.wechat(headers: $0, body: $1) }
        }
        router.post("notify/alipay") { request, _ in
            try await Self.exchange(request) { await receiver.alipay(headers: $0, body: $1) }
        }
        router.post("notify/bank") { request, _ in
            try await Self.exchange(request) { await receiver.bank(headers: $0, body: $1) }
        }
        let logger = self.logger
        let onListening = self.onListening
        let host = configuration.host
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "payment-channel-notify"
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                // Not "listening on": tools and mesh tests read that line for the RPC port.
                logger.info(
                    "provider notification endpoint ready at http://\(host):\(port)/notify/{wechatpay,alipay,bank}",
                    metadata: ["notify.host": "\(host)", "notify.port": "\(port)"]
                )
                await onListening(port)
            },
            logger: logger
        )
        try await application.run()
    }

    /// Reads the body and headers, lets `handle` decide, writes its answer.
    private static func exchange(
        _ request: Request,
        handle: @Sendable (ProviderHeaders, Data) async -> NotificationAnswer
    ) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        let headers: ProviderHeaders = request.headers.map { ($0.name.canonicalName, $0.value) }
        let answer = await handle(headers, Data(buffer.readableBytesView))
        var fields = HTTPFields()
        if let contentType = answer.contentType { fields[.contentType] = contentType }
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body))
        )
    }
}

/// A notification endpoint setting that could not be read (RefundMeshHosting's one settings error).
public typealias NotifyConfigurationError = HostConfigurationError
