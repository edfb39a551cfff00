import Dispatch
import Foundation

/// Turns Ctrl-C (SIGINT) into cancellation of the running task; a second Ctrl-C exits at once.
final class InterruptHandler: @unchecked Sendable {
    private var source: DispatchSourceSignal?
    private var count = 0
    private let lock = NSLock()

    func install(cancel: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            let n = self.lock.withLock { self.count += 1; return self.count }
            if n == 1 {
                FileHandle.standardError.write(Data("\ninterrupted: stopping requests and saving the run (Ctrl-C again to quit at once)\n".utf8))
                cancel()
            } else {
                exit(130)
            }
        }
        source.resume()
        self.source = source
    }

    func remove() {
        source?.cancel()
        source = nil
        signal(SIGINT, SIG_DFL)
    }
}
