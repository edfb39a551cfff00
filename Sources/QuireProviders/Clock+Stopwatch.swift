extension Clock where Duration == Swift.Duration {
    /// A closure returning the time elapsed on this clock since the call.
    func makeStopwatch() -> @Sendable () -> Swift.Duration {
        let start = now
        return { start.duration(to: self.now) }
    }
}
