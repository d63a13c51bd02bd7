import NIOCore

/// Runs Swift tasks on a NIO event loop, as Kiem's transport runs its calls:
/// with it as task executor preference, grpc-swift's client calls and server
/// handlers (child tasks inherit the preference) run on the loop that does
/// their I/O instead of hopping to the cooperative pool and back.
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
