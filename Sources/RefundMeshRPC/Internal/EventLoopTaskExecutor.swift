import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// Handler tasks of a connection prefer this executor, so decoding a frame, running the handler
/// and writing the answer all happen on the connection's own thread: no hop to the cooperative
/// pool and back, which costs 30-70 µs on this kind of machine (../shared/anchors/LIMITS.md).
/// Work that blocks must not run here (SQLite goes to its own threads).
package final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the only stored property is an immutable EventLoop, which is Sendable;
    // TaskExecutor conformance needs a class, and NIO's EventLoop existential is fine to share.
    package let eventLoop: any EventLoop

    package init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
