import Foundation
import QuireRunner
import Testing

@Suite("Run ids and timestamps")
struct RunIDTests {
    @Test func timestampsAreISO8601InUTCWithMilliseconds() {
        let cases: [(TimeInterval, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_795_333_815.5, "2026-11-22T07:50:15.500Z"),
            (951_782_400.25, "2000-02-29T00:00:00.250Z"),
            (4_102_444_799.75, "2099-12-31T23:59:59.750Z"),
            (1_795_333_815.042, "2026-11-22T07:50:15.042Z"),
        ]
        for (seconds, expected) in cases {
            #expect(RunID.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
        }
    }

    @Test func idsAreFolderNames() {
        let id = RunID.make(date: Date(timeIntervalSince1970: 1_795_333_815), random: 0x3f2a1c)
        #expect(id == "20261122-075015-3f2a1c")
        #expect(RunID.isValid(id))
        #expect(!RunID.isValid("../x"))
        #expect(!RunID.isValid(".hidden"))
        #expect(RunID.make(date: Date(timeIntervalSince1970: 1_795_333_815.999), random: 0xa) == "20261122-075015-00000a")
        #expect(RunID.make(date: Date(timeIntervalSince1970: 951_868_799), random: 0xff_ffff) == "20000229-235959-ffffff")
    }

    @Test func idsOfRunsStartedInTheSameSecondDiffer() {
        // Twenty processes starting in one second draw their ids independently: the random part has to
        // make a shared id rare (with 16 bits, one batch of twenty in 350 had one).
        let date = Date(timeIntervalSince1970: 1_795_333_815)
        var collisions = 0
        for _ in 0..<2_000 {
            let ids = (0..<20).map { _ in RunID.make(date: date) }
            if Set(ids).count < 20 { collisions += 1 }
        }
        // Expected about 0.02 in 2,000 tries (more than 2: one time in 500,000); 16 bits would give about 6.
        #expect(collisions <= 2)
        #expect(RunID.make(date: date).count == "20261122-075015-3f2a1c".count)
    }

    @Test func idsAgreeWithAGregorianCalendarInUTC() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for step in 0..<200 {
            let date = Date(timeIntervalSince1970: 946_684_800 + Double(step) * 9_876_543.21)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(format: "%04d%02d%02d-%02d%02d%02d-%06x", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, step * 83_885)
            #expect(RunID.make(date: date, random: UInt32(step * 83_885)) == expected)
        }
    }
}
