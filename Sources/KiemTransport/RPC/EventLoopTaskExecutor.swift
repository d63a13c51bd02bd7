import NIOCore

/// Runs Swift tasks on a NIO event loop.
///
/// Used as a task executor preference for a connection's handler tasks and
/// for the internals of client calls: a task that waits for a stream's next
/// message is then resumed on the loop that delivered it, and its writes
/// reach the loop without crossing threads. Each job is one `execute` on the
/// loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
