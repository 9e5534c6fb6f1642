/// How a service writes its log lines: `text` for people at a terminal, `json` (one object per
/// line) for log collectors. `<SERVICE>_LOG_FORMAT` or `REFUNDMESH_LOG_FORMAT`.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}
