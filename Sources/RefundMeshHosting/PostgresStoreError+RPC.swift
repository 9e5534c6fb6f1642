import RefundMeshPostgres
import RefundMeshRPC

// A PostgreSQL store's failure as the status a caller can act on: the database unreachable, or a
// transaction it gave up more often than the store retries, is UNAVAILABLE (try again: the outbox
// relays and the RPC client's retries do); anything else is INTERNAL, its details in the log.
extension PostgresStoreError: RPCErrorConvertible {
    public var rpcError: RPCError {
        switch code {
        case .unavailable, .retryable:
            RPCError(code: .unavailable, message: "the store is unavailable for now (\(code)); try again", cause: self)
        default:
            RPCError(code: .internalError, message: "the store failed (\(code)); the server logged it", cause: self)
        }
    }
}
