/// Myers' O(ND) difference algorithm over sequences of integer symbols, in linear space.
///
/// Used by ``UnifiedDiff`` (lines) and ``TextSimilarity`` (words, characters). The caller maps its
/// elements to integers first, so comparisons are cheap and the algorithm stays generic.
///
/// Reference: Eugene W. Myers, "An O(ND) Difference Algorithm and Its Variations",
/// Algorithmica 1 (1986). The divide-and-conquer "middle snake" variant keeps memory linear in the
/// input size; a cost limit bounds the time spent on very dissimilar inputs, at the price of a
/// possibly non-minimal (but always correct) result.
enum MyersDiff {
    /// Which elements of `a` were removed and which elements of `b` were inserted.
    struct Changes: Sendable, Hashable {
        var removed: [Bool]
        var inserted: [Bool]
    }

    /// The default number of edit rounds a sub-problem may take before the search settles for a
    /// good (not necessarily minimal) split. Large enough that ordinary edits are always minimal.
    static let defaultCostLimit = 2048

    /// Computes a shortest edit script from `a` to `b` (minimal unless a sub-problem exceeds `costLimit`).
    static func changes(_ a: [Int], _ b: [Int], costLimit: Int = defaultCostLimit) -> Changes {
        var changes = Changes(
            removed: [Bool](repeating: false, count: a.count),
            inserted: [Bool](repeating: false, count: b.count))
        var search = Search(a: a, b: b, costLimit: max(1, costLimit))
        // An explicit stack instead of recursion: degenerate inputs can split many times.
        var pending: [(Int, Int, Int, Int)] = [(0, a.count, 0, b.count)]
        while let (aLo0, aHi0, bLo0, bHi0) = pending.popLast() {
            var aLo = aLo0, aHi = aHi0, bLo = bLo0, bHi = bHi0
            while aLo < aHi, bLo < bHi, a[aLo] == b[bLo] {
                aLo += 1
                bLo += 1
            }
            while aLo < aHi, bLo < bHi, a[aHi - 1] == b[bHi - 1] {
                aHi -= 1
                bHi -= 1
            }
            if aLo == aHi || bLo == bHi {
                for i in aLo..<aHi { changes.removed[i] = true }
                for j in bLo..<bHi { changes.inserted[j] = true }
                continue
            }
            if let (x, y) = search.split(aLo, aHi, bLo, bHi),
                (x, y) != (aLo, bLo), (x, y) != (aHi, bHi)
            {
                pending.append((x, aHi, y, bHi))
                pending.append((aLo, x, bLo, y))
            } else {
                for i in aLo..<aHi { changes.removed[i] = true }
                for j in bLo..<bHi { changes.inserted[j] = true }
            }
        }
        return changes
    }

    /// Slides each run of changes to a canonical place, as `diff -u` readers expect.
    ///
    /// A run of removed (or inserted) lines can often sit at several places with the same cost: an
    /// inserted `b` into `a b c` is `a +b b c` or `a b +b c`. Each run is moved up, then down, as long
    /// as that merges it with a neighbouring run; it then settles at the lowest place where it meets a
    /// change on the other side (so a replacement shows as one block), or else as low as it can go.
    ///
    /// Like `diff`, runs do not slide into the common prefix and suffix of the two sequences, except
    /// for their `keepingEnds` lines nearest the changes (`diff` keeps the context length there).
    static func slideRuns(_ changes: inout Changes, _ a: [Int], _ b: [Int], keepingEnds: Int) {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let lo = max(0, prefix - keepingEnds)
        let trailing = max(0, suffix - keepingEnds)
        let aRange = lo..<(a.count - trailing), bRange = lo..<(b.count - trailing)
        var removed = Array(changes.removed[aRange]), inserted = Array(changes.inserted[bRange])
        slideRuns(&removed, Array(a[aRange]), other: inserted)
        slideRuns(&inserted, Array(b[bRange]), other: removed)
        changes.removed.replaceSubrange(aRange, with: removed)
        changes.inserted.replaceSubrange(bRange, with: inserted)
    }

    private static func slideRuns(_ changed: inout [Bool], _ ids: [Int], other: [Bool]) {
        // otherGapHasChanges[u]: the other side has changes between its unchanged lines u-1 and u.
        var otherGapHasChanges: [Bool] = []
        var pending = false
        for flag in other {
            if flag {
                pending = true
            } else {
                otherGapHasChanges.append(pending)
                pending = false
            }
        }
        otherGapHasChanges.append(pending)

        let n = changed.count
        var i = 0
        var unchangedBefore = 0  // unchanged lines before i (and before the run's start below)
        while i < n {
            if !changed[i] {
                unchangedBefore += 1
                i += 1
                continue
            }
            var start = i, end = i
            while end < n, changed[end] { end += 1 }
            var top = start
            var length = 0
            repeat {
                length = end - start
                while start > 0, ids[start - 1] == ids[end - 1] {
                    start -= 1
                    end -= 1
                    changed[start] = true
                    changed[end] = false
                    unchangedBefore -= 1
                    while start > 0, changed[start - 1] { start -= 1 }
                }
                top = start
                while end < n, ids[start] == ids[end] {
                    changed[start] = false
                    changed[end] = true
                    start += 1
                    end += 1
                    unchangedBefore += 1
                    while end < n, changed[end] { end += 1 }
                }
            } while end - start != length
            // Every place from `top` to `start` is reachable without merging; prefer the lowest that
            // meets a change on the other side.
            var back = 0
            while start - back > top, !otherGapHasChanges[unchangedBefore - back] { back += 1 }
            if otherGapHasChanges[unchangedBefore - back] {
                for _ in 0..<back {
                    start -= 1
                    end -= 1
                    changed[start] = true
                    changed[end] = false
                    unchangedBefore -= 1
                }
            }
            i = end
        }
    }

    /// The number of insertions plus deletions in a shortest edit script, or `nil` when it exceeds `maxCost`.
    ///
    /// Runs the forward greedy search only, in O((N+M)·D) time and O(D) extra memory.
    static func editDistance(_ a: [Int], _ b: [Int], maxCost: Int) -> Int? {
        var lo = 0, aHi = a.count, bHi = b.count
        while lo < aHi, lo < bHi, a[lo] == b[lo] { lo += 1 }
        while aHi > lo, bHi > lo, a[aHi - 1] == b[bHi - 1] {
            aHi -= 1
            bHi -= 1
        }
        let n = aHi - lo, m = bHi - lo
        if n == 0 || m == 0 { return n + m <= maxCost ? n + m : nil }
        let limit = min(maxCost, n + m)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        return v.withUnsafeMutableBufferPointer { v -> Int? in
            for d in 0...limit {
                for k in stride(from: -d, through: d, by: 2) {
                    var x: Int
                    if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                        x = v[offset + k + 1]
                    } else {
                        x = v[offset + k - 1] + 1
                    }
                    var y = x - k
                    while x < n, y < m, a[lo + x] == b[lo + y] {
                        x += 1
                        y += 1
                    }
                    v[offset + k] = x
                    if x >= n, y >= m { return d }
                }
            }
            return nil
        }
    }

    /// Scratch space and the middle-snake search, reused across sub-problems.
    private struct Search {
        let a: [Int]
        let b: [Int]
        let costLimit: Int
        var forward: [Int] = []
        var backward: [Int] = []

        init(a: [Int], b: [Int], costLimit: Int) {
            self.a = a
            self.b = b
            self.costLimit = costLimit
        }

        /// A point (x, y) on a shortest (or, past the cost limit, a good) path through the box
        /// `a[aLo..<aHi]` × `b[bLo..<bHi]`; both ranges are non-empty and differ at both ends.
        mutating func split(_ aLo: Int, _ aHi: Int, _ bLo: Int, _ bHi: Int) -> (Int, Int)? {
            let n = aHi - aLo, m = bHi - bLo
            let maxD = min((n + m + 1) / 2, costLimit)
            let offset = maxD + 1
            let size = 2 * maxD + 3
            if forward.count < size {
                forward = [Int](repeating: -1, count: size)
                backward = [Int](repeating: -1, count: size)
            }
            for i in 0..<size {
                forward[i] = -1
                backward[i] = -1
            }
            forward[offset + 1] = 0
            backward[offset + 1] = 0
            let delta = n - m
            let oddDelta = delta & 1 != 0
            // Diagonals that ran off the box are skipped on later rounds.
            var fStart = 0, fEnd = 0, bStart = 0, bEnd = 0
            for d in 0..<maxD {
                var k = -d + fStart
                while k <= d - fEnd {
                    let i = offset + k
                    var x: Int
                    if k == -d || (k != d && forward[i - 1] < forward[i + 1]) {
                        x = forward[i + 1]
                    } else {
                        x = forward[i - 1] + 1
                    }
                    var y = x - k
                    while x < n, y < m, a[aLo + x] == b[bLo + y] {
                        x += 1
                        y += 1
                    }
                    forward[i] = x
                    if x > n {
                        fEnd += 2
                    } else if y > m {
                        fStart += 2
                    } else if oddDelta {
                        let j = offset + delta - k
                        if j >= 0, j < size, backward[j] != -1, x >= n - backward[j] {
                            return (aLo + x, bLo + y)
                        }
                    }
                    k += 2
                }
                k = -d + bStart
                while k <= d - bEnd {
                    let i = offset + k
                    var x: Int
                    if k == -d || (k != d && backward[i - 1] < backward[i + 1]) {
                        x = backward[i + 1]
                    } else {
                        x = backward[i - 1] + 1
                    }
                    var y = x - k
                    while x < n, y < m, a[aHi - 1 - x] == b[bHi - 1 - y] {
                        x += 1
                        y += 1
                    }
                    backward[i] = x
                    if x > n {
                        bEnd += 2
                    } else if y > m {
                        bStart += 2
                    } else if !oddDelta {
                        let j = offset + delta - k
                        if j >= 0, j < size, forward[j] != -1 {
                            let fx = forward[j]
                            let fy = fx - (j - offset)
                            if fx >= n - x { return (aLo + fx, bLo + fy) }
                        }
                    }
                    k += 2
                }
            }
            // Too expensive (or no overlap found): split where the forward search got furthest.
            var best: (Int, Int)?
            var bestProgress = 0
            let d = maxD - 1
            var k = -d + fStart
            while k <= d - fEnd {
                let x = forward[offset + k]
                let y = x - k
                if x >= 0, x <= n, y >= 0, y <= m, x + y > bestProgress, x + y < n + m {
                    best = (aLo + x, bLo + y)
                    bestProgress = x + y
                }
                k += 2
            }
            return best
        }
    }
}
