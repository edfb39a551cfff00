#!/usr/bin/env bash
# Benchmark of issue #5: `quire test` on 100 cases × 5 steps in replay mode (target: under 2 s).
#
#   benchmarks/golden/run.sh [--runs N] [--cases N] [--no-build]
#
# Builds the release binary (unless --no-build), writes a workspace to benchmarks/scratch/golden/
# (git-ignored), records its goldens once against a deterministic fake server (fake_server.py, stopped
# by PID whatever happens), then times `quire test --replay` N times (default 7) and prints the median,
# the fastest and the slowest run. Needs python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/benchmarks/golden"
WORK="$ROOT/benchmarks/scratch/golden"
BIN="$ROOT/.build/release/quire"
RUNS=7
CASES=100
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --cases) CASES="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
case "$RUNS$CASES" in *[!0-9]*|'') echo "run.sh: --runs and --cases want numbers" >&2; exit 64 ;; esac
command -v python3 >/dev/null || { echo "run.sh: python3 is missing" >&2; exit 1; }
command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"

if [ "$BUILD" = 1 ]; then
    (cd "$ROOT" && swift build -c release --product quire 2>&1 | tail -1)
fi
[ -x "$BIN" ] || { echo "run.sh: $BIN is missing (run without --no-build)" >&2; exit 1; }

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

rm -rf "$WORK"
mkdir -p "$WORK"
python3 "$HERE/fake_server.py" >"$WORK/server.port" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/server.port" ] && break; sleep 0.1; done
PORT=$(head -n 1 "$WORK/server.port")
[ -n "$PORT" ] || { echo "run.sh: the fake server did not start (see $WORK/server.log)" >&2; exit 1; }

python3 "$HERE/generate.py" "$WORK/workspace" "$PORT" "$CASES"
cd "$WORK/workspace"

# Record every golden once (live, against the fake server). A recording run exits 1 by design.
set +e
timeout 600 "$BIN" test --live --record all --color never >"$WORK/record.txt" 2>&1
set -e
grep -q " $((CASES * 5)) new" "$WORK/record.txt" || { tail -5 "$WORK/record.txt" >&2; exit 1; }
cleanup
SERVER_PID=""

# Replay: no model, no network (the server is stopped).
times=()
for _ in $(seq 1 "$RUNS"); do
    start=$(date +%s.%N)
    timeout 120 "$BIN" test --replay --record never --color never >"$WORK/replay.txt" 2>&1 || { tail -5 "$WORK/replay.txt" >&2; exit 1; }
    end=$(date +%s.%N)
    times+=("$(python3 -c "print(f'{$end - $start:.3f}')")")
done
summary=$(tail -n 1 "$WORK/replay.txt")
printf '%s\n' "${times[@]}" | sort -n > "$WORK/times.txt"
median=$(python3 -c "import statistics; print(f'{statistics.median([float(l) for l in open(\"$WORK/times.txt\")]):.2f}')")
fastest=$(head -n 1 "$WORK/times.txt")
slowest=$(tail -n 1 "$WORK/times.txt")
echo "quire test --replay, $CASES cases × 5 steps ($((CASES * 4)) replayed model calls): median ${median} s over $RUNS runs (fastest ${fastest} s, slowest ${slowest} s)"
echo "last run: $summary"
