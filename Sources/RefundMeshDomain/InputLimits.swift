/// The limits every service holds what a caller sends to, before anything is stored
/// (docs/VALIDATION.md). ``InputCheck`` applies them; the numbers live here so the four services,
/// the docs and the tests read one table.
///
/// The limits are about hostile or broken input, not about the rules: a price of ¥100,000,001 is
/// refused here whatever the policy says, while a request outside the refund window (R-A4) is the
/// rules' business.
public enum InputLimits {
    /// Ids (order, user, refund, payment, event, idempotency keys…): at most this many bytes.
    public static let maxIdentifierBytes = 128
    /// Besides ASCII letters and digits, the characters an id may contain. No spaces, quotes,
    /// backslashes or control characters: ids end up in logs, SQL parameters and file names of
    /// exports, and a person must be able to read them back.
    public static let identifierPunctuation: Set<Unicode.Scalar> = ["-", "_", ".", ":", "@", "/", "+", "="]

    /// Free text a person writes (reason statements, reviewer notes, details): at most this many
    /// characters (Unicode scalars, so combining marks cannot stretch it).
    public static let maxTextCharacters = 2_000
    /// A reason one service composes for another (a decision's sentence with the reviewer's note
    /// in it, R-R10): room for a template and a full ``maxTextCharacters`` note, so a receiver
    /// never refuses what a sender may legitimately write (an outbox would retry it forever).
    public static let maxReasonCharacters = 4_000
    /// Short labels (SKU, product name, device id, IP address, merchant id, rule, actor): at most
    /// this many characters, on one line.
    public static let maxLabelCharacters = 200
    /// A locale tag such as `zh-CN` or `en`: at most this many ASCII letters, digits, `-` or `_`.
    public static let maxLocaleCharacters = 35

    /// The largest amount of money one field may carry: ¥100,000,000.00. Far above any order a
    /// virtual-goods shop takes, and far enough below `Int64.max` that no sum of refunds of one
    /// payment can overflow (R-C5).
    public static let maxAmountFen: Int64 = 10_000_000_000

    /// How far ahead of the service's clock a time of the past (paid, captured, happened at) may
    /// be: clocks of the platform and the services differ a little; a payment five minutes in the
    /// future did not happen yet.
    public static let clockSkewMs: Int64 = 5 * 60_000
    /// 2000-01-01T00:00:00Z: no order, payment or fact of RefundMesh is older. A smaller number is
    /// a unit mistake (seconds instead of milliseconds) or an attempt to reach an old window.
    public static let earliestMs: Int64 = 946_684_800_000
    /// 9999-12-31T23:59:59.999Z: the latest time a field may hold at all (validity ends, expected
    /// arrivals), so that date arithmetic never meets `Int64`'s edges.
    public static let latestMs: Int64 = 253_402_300_799_999

    /// An attachment's file name: at most this many bytes (the common file-system limit).
    public static let maxFileNameBytes = 255
    /// The media types an attachment may declare (R-A5: screenshots, videos, certificates,
    /// statements), each with the file name extensions that go with it. An empty list accepts
    /// any extension (`application/octet-stream`: bytes of an unknown kind, never shown inline).
    /// Types a browser would run or render as a page (HTML, SVG, JavaScript) are not here.
    public static let contentTypes: [String: [String]] = [
        "image/png": ["png"],
        "image/jpeg": ["jpg", "jpeg"],
        "image/gif": ["gif"],
        "image/webp": ["webp"],
        "image/heic": ["heic"],
        "application/pdf": ["pdf"],
        "video/mp4": ["mp4"],
        "video/quicktime": ["mov"],
        "text/plain": ["txt"],
        "application/octet-stream": [],
    ]
    /// A content type with its parameters (`text/plain; charset=utf-8`): at most this many characters.
    public static let maxContentTypeCharacters = 100
    /// How many entries a repeated field of ids or kinds may carry (materials, item ids, attachment
    /// references), unless a rule sets a smaller number.
    public static let maxListEntries = 500
}
