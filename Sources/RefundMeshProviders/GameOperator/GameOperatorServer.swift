import Crypto
import Foundation

/// The game operator side of the wire, for the provider sandbox: verifies requests and signs
/// ``OperatorRecharge`` answers (``HMACProviderServer``).
public struct GameOperatorServer: HMACProviderServer {
    public var authenticator: HMACAuthenticator

    public init(clientID: String, hmacKey: SecretKey, allowedClockSkew: Duration = .seconds(300)) {
        self.authenticator = HMACAuthenticator(
            headerNames: .gameOperator,
            identity: clientID,
            key: hmacKey,
            allowedClockSkew: allowedClockSkew
        )
    }

    /// The sandbox's view of a key set.
    public init(
        keySet: ProviderKeySet,
        clientID: String = ProviderKeySet.DevelopmentIdentity.operatorClientID,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.init(
            clientID: clientID,
            hmacKey: SecretKey(text: keySet.operatorHMACKey),
            allowedClockSkew: allowedClockSkew
        )
    }
}
