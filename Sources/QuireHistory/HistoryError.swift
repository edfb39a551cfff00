import Foundation
import GRDB
import QuireCore

/// A run history that cannot be opened, read or written: names the file and what to do.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The file is damaged (not a database, or malformed): only a rebuild helps.
    public var isDamage: Bool

    public init(_ description: String, isDamage: Bool = false) {
        self.description = description
        self.isDamage = isDamage
    }

    /// Turns an SQLite error into a message that names the file and suggests the way out.
    static func from(_ error: any Error, path: String) -> HistoryError {
        if let error = error as? HistoryError { return error }
        guard let database = error as? DatabaseError else {
            return HistoryError("cannot use the run history \(path): \(error.localizedDescription)")
        }
        switch database.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return HistoryError("the run history \(path) is locked by another process (waited \(Int(HistoryDatabase.busyTimeout)) s); try again, or rebuild it with `quire history rebuild`")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return HistoryError("the run history \(path) is damaged (\(database.message ?? "not a database")); rebuild it from the run folders with `quire history rebuild`", isDamage: true)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return HistoryError("cannot write the run history \(path) (\(database.message ?? "permission denied")); check its permissions, or rebuild it with `quire history rebuild`")
        default:
            return HistoryError("the run history \(path) failed: \(database.message ?? "\(database.resultCode)"); `quire history rebuild` makes it anew from the run folders")
        }
    }

    /// Damaged beyond use: rebuilding starts from an empty file.
    static func isDamage(_ error: any Error) -> Bool {
        if let error = error as? HistoryError { return error.isDamage }
        guard let database = error as? DatabaseError else { return false }
        return database.resultCode == .SQLITE_CORRUPT || database.resultCode == .SQLITE_NOTADB
    }
}
