import AsyncHTTPClient
import Foundation
import Logging

/// Asks the game operator whether a direct recharge reached the account (R-R2), HMAC-signed both
/// ways (``HMACAuthenticator``, `X-Operator-*` headers).
public struct GameOperatorClient: Sendable {
    public let configuration: GameOperatorConfiguration
    private let call: HMACProviderCall

    static let provider = "operator"

    public init(configuration: GameOperatorConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.call = HMACProviderCall(
            provider: Self.provider,
            authenticator: HMACAuthenticator(
                headerNames: .gameOperator,
                identity: configuration.clientID,
                key: configuration.hmacKey,
                allowedClockSkew: configuration.allowedClockSkew
            ),
            baseURL: configuration.baseURL,
            timeout: configuration.timeout,
            httpClient: httpClient,
            logger: logger
        )
    }

    /// `GET /operator/v1/recharges/{order_id}`. An order the operator does not know throws
    /// ``ProviderError/Code-swift.struct/notFound``.
    public func rechargeStatus(orderID: String) async throws -> OperatorRecharge {
        let answer = try await call.send(
            method: .GET,
            path: "/operator/v1/recharges/" + FormEncoding.percentEncode(orderID),
            body: nil,
            notFoundMeansUnknownNumber: true
        )
        return try call.decode(OperatorRecharge.self, from: answer)
    }
}
