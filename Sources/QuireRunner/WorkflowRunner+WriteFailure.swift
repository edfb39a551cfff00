import Foundation
import QuireCore

extension WorkflowRunner {
    /// `run.write-failed` for a file of the run folder that could not be written: names the file, the
    /// reason (no space, a file-size limit, no permission, a file where a folder should be) and what to
    /// do. Nothing is half-written (see ``AtomicFileWriter``), so the run resumes once the cause is gone.
    func writeFailure(_ error: any Error, path relative: String, label: String? = nil) -> Diagnostic {
        let path = "\(store.folder.relativePath)/\(relative)"
        let subject = label.map { "\($0): cannot write \(path)" } ?? "cannot write \(path)"
        return .error(
            "run.write-failed", "\(subject): \(Self.reason(error))",
            suggestion: "free disk space or make \(store.folder.relativePath)/ writable, then continue with --resume")
    }

    static func reason(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
        return error.localizedDescription
    }
}
