import Synchronization

/// Tells waiting tasks that something changed (the store, the set of live
/// sessions): a generation counter that ``notify()`` raises and
/// ``wait(after:)`` waits on. A sender reads the generation before it reads
/// the store, then waits for a later one, so no change between the two is
/// missed. `package`: the node, the dashboard and test support (which
/// waits on child processes with it) use it.
package final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Starts at generation 0.
    package init() {}

    /// The current generation.
    package var generation: UInt64 { state.withLock { $0.generation } }

    /// Records a change and wakes every waiter.
    package func notify() {
        let waiters = state.withLock { state in
            state.generation += 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the generation exceeds `generation`, or when the task is
    /// cancelled.
    package func wait(after generation: UInt64) async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.generation > generation || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
