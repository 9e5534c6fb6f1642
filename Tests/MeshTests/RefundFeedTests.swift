import RefundMeshAPI
import Testing

@testable import IntakeService

/// WatchRefund's feed: the views writes committed, newest wins, never an older one after a newer
/// (R-T2: every change appends to the timeline, whose length orders a refund's views).
@Suite struct RefundFeedTests {
    private func view(_ refundID: String, _ states: RefundState...) -> RefundView {
        RefundView(
            refundID: refundID,
            state: states.last ?? .unspecified,
            timeline: states.enumerated().map { TimelineEntry(atMs: Int64($0.offset), state: $0.element) }
        )
    }

    @Test func aLatePublishOfAnOlderViewIsDropped() async {
        let feed = RefundFeed()
        let changes = feed.subscribe(refundID: "r1")
        // Two writes committed in the order approved, money sent, and published the other way.
        feed.changed(view("r1", .received, .approved, .moneySent))
        feed.changed(view("r1", .received, .approved))
        feed.changed(view("r2", .received, .approved, .moneySent, .moneyArrived))
        feed.changed(view("r1", .received, .approved, .moneySent, .moneyArrived))
        var iterator = changes.makeAsyncIterator()
        // Coalesced to the newest: a slow watcher sees the latest state only.
        let first = await iterator.next()
        #expect(first?.state == .moneyArrived)
        #expect(first?.refundID == "r1")
        feed.changed(view("r1", .received, .approved, .moneySent))
        feed.changed(view("r1", .received, .approved, .moneySent, .moneyArrived, .moneyReversed))
        let second = await iterator.next()
        #expect(second?.state == .moneyReversed)
    }

    @Test func watchersOfOneRefundEachGetTheView() async {
        let feed = RefundFeed()
        let a = feed.subscribe(refundID: "r1")
        let b = feed.subscribe(refundID: "r1")
        feed.changed(view("r1", .received, .approved))
        var ia = a.makeAsyncIterator()
        var ib = b.makeAsyncIterator()
        #expect(await ia.next()?.state == .approved)
        #expect(await ib.next()?.state == .approved)
    }

    @Test func aFinishedWatcherIsForgotten() async {
        let feed = RefundFeed()
        do {
            let changes = feed.subscribe(refundID: "r1")
            var iterator = changes.makeAsyncIterator()
            feed.changed(view("r1", .received))
            #expect(await iterator.next()?.state == .received)
        }
        // The stream is gone with its iterator; publishing to nobody is a no-op.
        feed.changed(view("r1", .received, .approved))
        #expect(feed.watcherCount == 0)
    }
}
