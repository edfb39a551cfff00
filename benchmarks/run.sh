#!/usr/bin/env bash
# Quire's benchmarks: the performance targets of issues #2 and #3. Prints one Markdown table.
#
#   benchmarks/run.sh [--runs N] [--no-build] [--only LIST] [--no-wait]
#
#   --runs N      repetitions of each process-level measurement (default 7; 20-process rounds: N too;
#                 the 1,000-item memory run: at most 5)
#   --no-build    use the existing .build/release binaries
#   --only LIST   comma-separated subset of: startup,validate,template,report,concurrent,cpu,memory,reference
#                 (reference: the same workflows as a Python asyncio script with the `openai` package,
#                 installed from PyPI into benchmarks/scratch/pyref-venv on first use)
#   --no-wait     start at once even if the previous run deleted its files less than 5 minutes ago
#                 (see "Machine" in benchmarks/README.md: the figures are then inflated)
#
# Everything it writes goes to benchmarks/scratch/ (git-ignored). Every fake server it starts is stopped
# by PID on exit, failure or Ctrl-C; every loop and every process is bounded (timeout). Needs python3
# and /usr/bin/time (Debian: apt-get install time). See benchmarks/README.md for what each row means.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="$ROOT/benchmarks/scratch"
BIN="$ROOT/.build/release"
RUNS=7
BUILD=1
WAIT=1
ONLY="startup,validate,template,report,concurrent,cpu,memory,reference"
OPENAI_PY_VERSION=3.54.0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --only) ONLY="$2"; shift 2 ;;
        --no-wait) WAIT=0; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*) echo "run.sh: --runs wants a number" >&2; exit 64 ;; esac
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 100 ] || { echo "run.sh: --runs must be 1…100" >&2; exit 64; }
wants() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "run.sh: python3 is missing" >&2; exit 1; }

# --- Fake servers: started in the background, stopped by PID whatever happens -----------------------------
SERVER_PIDS=()
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do stop_server "$pid"; done
    SERVER_PIDS=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# start_server NAME ARGS…: starts quire-fake-server, sets PORT. Waits at most 10 s for its port.
start_server() {
    local name="$1"; shift
    local out="$WORK/server-$name.port" err="$WORK/server-$name.log"
    rm -f "$out"
    "$BIN/quire-fake-server" "$@" >"$out" 2>"$err" &
    SERVER_PIDS+=("$!")
    PORT=""
    for _ in $(seq 1 100); do
        if [ -s "$out" ]; then PORT=$(head -n1 "$out"); break; fi
        kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$PORT" ] || { echo "run.sh: fake server '$name' did not start: $(cat "$err")" >&2; exit 1; }
    SERVER_PID="${SERVER_PIDS[-1]}"
}

# stop_server PID: SIGTERM, then at most 5 s before SIGKILL.
stop_server() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# --- Measuring -------------------------------------------------------------------------------------------
# measure OUT CMD…: runs CMD under /usr/bin/time (at most 600 s); appends to OUT one line
# "wall_ms user_s sys_s maxrss_kb exit_code". Wall time is process start to exit, taken around the process.
measure() {
    local out="$1"; shift
    local t0 t1 rc=0
    t0=$(date +%s%N)
    timeout 600 /usr/bin/time -f '%U %S %M' -o "$WORK/time.txt" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || rc=$?
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 )) $(tail -n1 "$WORK/time.txt")" \
        | awk -v rc="$rc" '{ printf "%.3f %s %s %s %d\n", $1 / 1000, $2, $3, $4, rc }' >>"$out"
    return 0
}

# check_ok FILE WHAT: fails when any run in FILE exited non-zero.
check_ok() {
    if awk '$5 != 0 { bad = 1 } END { exit !bad }' "$1"; then
        echo "run.sh: $2 failed; last stderr:" >&2
        tail -n 20 "$WORK/last.err" >&2
        exit 1
    fi
}

ROWS="$WORK/rows.tsv"
# row NAME TARGET UNIT CMP LIMIT NOTE < samples: one number per line → a table row with median, spread, verdict.
ROW_PY=$(cat <<'PY'
import statistics, sys
name, target, unit, cmp, limit, note = sys.argv[1:7]
xs = sorted(float(x) for x in sys.stdin.read().split())
med = statistics.median(xs)
ok = None if limit == "-" else med < float(limit) if cmp == "<" else med <= float(limit)
fmt = (lambda v: f"{v:.2f}") if unit == "×" else (lambda v: f"{v:.3g}" if v < 10 else f"{v:.0f}") if unit == "ms/call" else (lambda v: f"{v:.1f}" if v < 100 else f"{v:.0f}")
sep = "" if unit == "×" else " "
print("\t".join([name, target, f"{fmt(med)}{sep}{unit}", f"{fmt(xs[0])}–{fmt(xs[-1])}", str(len(xs)), "–" if ok is None else "pass" if ok else "**MISS**", note]))
PY
)
row() { python3 -c "$ROW_PY" "$@" >>"$ROWS"; }
# median < numbers: their median.
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# The same with four decimals, for values that are divided afterwards (seconds of CPU): rounded to one
# decimal, 0.25 s against 2.46 s came out as 0.2 / 2.5 = 0.08 instead of 0.10.
precise_median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.4f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOADS="$WORK/loads.txt"
note_load() { echo "$1: $(load)" >>"$LOADS"; }

# --- Build and environment -------------------------------------------------------------------------------
mkdir -p "$WORK"
: >"$ROWS"; : >"$LOADS"
# Nothing is deleted while measuring: on ext4, creating files soon after deleting thousands of others
# costs far more (the inode allocator skips recently deleted inodes one by one; `perf` showed a third
# of a run's CPU there). Old folders are moved aside (a rename) and deleted after the last measurement.
TRASH="$WORK/trash"
mkdir -p "$TRASH"
# The previous run deleted thousands of files at its end. On ext4 without a journal (as here), a freed
# inode is not reused for 60 s, or 300 s while its inode table block is dirty — and creating files
# next to them keeps those blocks dirty — and the allocator skips over each one: a 1,000-call
# fan-out a minute after the previous run took 575 ms of CPU (29 % of it in __ext4_new_inode), and
# 241 ms five minutes after. So a run that follows another waits out 5 minutes.
LAST_DELETE="$WORK/.last-delete"
QUIET=300
if [ "$WAIT" = 1 ] && [ -s "$LAST_DELETE" ]; then
    since=$(( $(date +%s) - $(cat "$LAST_DELETE") ))
    if [ "$since" -ge 0 ] && [ "$since" -lt "$QUIET" ]; then
        echo "waiting $((QUIET - since)) s: the previous run deleted its files ${since} s ago (see --no-wait)" >&2
        sleep $((QUIET - since))
    fi
fi
discard() { local p; for p in "$@"; do [ -e "$p" ] && mv "$p" "$TRASH/$(date +%s%N)-$RANDOM"; done; return 0; }
if [ "$BUILD" = 1 ]; then
    # As scripts/quickstart builds it: release, with the Swift runtime linked in statically.
    echo "building (scripts/build-release: release, --static-swift-stdlib, no exported symbols)…" >&2
    (cd "$ROOT" && scripts/build-release >"$WORK/build.log" 2>&1) || { tail -n 30 "$WORK/build.log" >&2; exit 1; }
fi
for exe in quire quire-bench quire-fake-server; do
    [ -x "$BIN/$exe" ] || { echo "run.sh: $BIN/$exe is missing; run without --no-build" >&2; exit 1; }
done
QUIRE="$BIN/quire"
STUB=0
[ -f "$ROOT/Sources/QuireCore/_Stubs.swift" ] && STUB=1

# Process start, subtracted where a row says so.
: >"$WORK/version.txt"
for _ in $(seq 1 "$RUNS"); do measure "$WORK/version.txt" "$QUIRE" --version; done
check_ok "$WORK/version.txt" "quire --version"
START_MS=$(awk '{ print $1 }' "$WORK/version.txt" | median)
awk '{ print $1 }' "$WORK/version.txt" | row "process start (\`quire --version\`)" "–" ms "<" - "subtracted from the end-to-end render row"

# --- 0. Cold start: `quire --help`, and `quire validate` of the example workspace ---------------------------
if wants startup; then
    note_load startup
    : >"$WORK/help.txt"; : >"$WORK/validate-example.txt"
    for _ in $(seq 1 "$RUNS"); do
        measure "$WORK/help.txt" "$QUIRE" --help
        measure "$WORK/validate-example.txt" "$QUIRE" validate -C "$ROOT" --color never
    done
    check_ok "$WORK/help.txt" "quire --help"
    check_ok "$WORK/validate-example.txt" "quire validate (example workspace)"
    awk '{ print $1 }' "$WORK/help.txt" | row "cold start: \`quire --help\`" "–" ms "<" - "wall time, process start to exit"
    awk '{ print $1 }' "$WORK/validate-example.txt" \
        | row "cold start: \`quire validate\` of the example workspace (2 workflows, 6 prompts)" "–" ms "<" - "wall time, process start to exit"
fi

# --- 1. quire validate over the generated workspace ------------------------------------------------------
if wants validate; then
    note_load validate
    WS="$WORK/validate-workspace"
    python3 "$ROOT/benchmarks/generate-workspace.py" "$WS" --force >&2
    rc=0
    "$QUIRE" validate -C "$WS" --color never >"$WORK/validate.out" 2>"$WORK/validate.err" || rc=$?
    summary=$(tail -n1 "$WORK/validate.out")
    if [ "$rc" != 0 ] || ! grep -q ": 0 errors" <<<"$summary"; then
        echo "run.sh: the generated workspace does not validate (exit $rc): $summary" >&2
        head -n 20 "$WORK/validate.err" >&2
        exit 1
    fi
    echo "validate: $summary" >&2
    : >"$WORK/validate.txt"
    for _ in $(seq 1 "$RUNS"); do measure "$WORK/validate.txt" "$QUIRE" validate -C "$WS" --color never; done
    check_ok "$WORK/validate.txt" "quire validate"
    awk '{ print $1 }' "$WORK/validate.txt" \
        | row "\`quire validate\`, 200 workflows × 10 steps, 500 prompt files" "< 1 s" ms "<" 1000 "$summary; wall time incl. process start"
fi

# --- 2. Rendering a 10,000-line template -----------------------------------------------------------------
if wants template; then
    note_load template
    RWS="$WORK/render-workspace"
    discard "$RWS"
    for style in dense prose; do
        timeout 600 "$BIN/quire-bench" template --lines 10000 --style "$style" --iterations $((RUNS * 4)) \
            --warmup 3 $([ "$style" = dense ] && echo --write-workspace "$RWS") >"$WORK/template-$style.txt"
    done
    awk '{ print $3 }' "$WORK/template-dense.txt" \
        | row "10,000-line template, dense (~45 tags per 21 lines): parse + render in process (\`quire-bench\`)" "< 50 ms" ms "<" 50 \
            "median parse $(awk '{ print $1 }' "$WORK/template-dense.txt" | median) ms, render $(awk '{ print $2 }' "$WORK/template-dense.txt" | median) ms; $(awk 'NR == 1 { print $4 }' "$WORK/template-dense.txt") output lines"
    awk '{ print $3 }' "$WORK/template-prose.txt" \
        | row "10,000-line template, prose (tags on 4 lines in 21): parse + render in process (\`quire-bench\`)" "< 50 ms" ms "<" 50 \
            "median parse $(awk '{ print $1 }' "$WORK/template-prose.txt" | median) ms, render $(awk '{ print $2 }' "$WORK/template-prose.txt" | median) ms; $(awk 'NR == 1 { print $4 }' "$WORK/template-prose.txt") output lines"
    : >"$WORK/render.txt"
    for _ in $(seq 1 "$RUNS"); do
        measure "$WORK/render.txt" "$QUIRE" render big-render -C "$RWS" --vars-file "$RWS/vars.yaml" --color never
    done
    check_ok "$WORK/render.txt" "quire render big-render"
    awk -v s="$START_MS" '{ print $1 - s }' "$WORK/render.txt" \
        | row "10,000-line template, dense: \`quire render\` end to end − process start" "(< 50 ms)" ms "<" 50 "loads, validates (parses), renders and prints; for reference"
fi

# --- 3–6. Runs against the fake OpenAI-compatible server -------------------------------------------------
need_server=0
for b in report concurrent cpu memory reference; do wants "$b" && need_server=1; done
if [ "$need_server" = 1 ]; then
    # The example workspace of the repository, run against the fake server as provider `openai`.
    PWS="$WORK/report-workspace"
    discard "$PWS"; mkdir -p "$PWS/output"
    cp -R "$ROOT/quire.yaml" "$ROOT/prompts" "$ROOT/workflows" "$PWS/"
    # A fan-out workflow of our own: one call per item of a list input, then a local merge.
    FWS="$WORK/fanout-workspace"
    discard "$FWS"; mkdir -p "$FWS/prompts/item-writer" "$FWS/prompts/merge" "$FWS/workflows" "$FWS/output"
    printf '# Generated by benchmarks/run.sh\n' >"$FWS/quire.yaml"
    cat >"$FWS/prompts/item-writer/v1.prompt" <<'EOF'
---
description: Writes one paragraph about one item of a list.
inputs:
  item: {type: string}
  topic: {type: string}
max_tokens: 300
---
system:
You write one short paragraph about one item of a list, for a report about {{ topic }}.

user:
Item {{ each.index }} of {{ each.count }}: {{ item }}
EOF
    cat >"$FWS/prompts/merge/v1.prompt" <<'EOF'
---
description: Joins the paragraphs.
inputs:
  paragraphs: {type: list}
---
{% for p in paragraphs %}{{ loop.index }}. {{ p }}
{% endfor %}
EOF
    cat >"$FWS/workflows/fan-out.yaml" <<'EOF'
name: fan-out
description: One model call per item of a list input, then a local merge.
inputs:
  topic: {type: string, default: backpressure in streaming systems}
  items: {type: list}
steps:
  - id: paragraphs
    for_each: items
    as: item
    prompt: item-writer@v1
    post: [trim]
  - id: merged
    template: merge@v1
    output: merged.md
EOF
    python3 - "$FWS" <<'PY'
import sys
for n in (100, 1000):
    with open(f"{sys.argv[1]}/items-{n}.yaml", "w") as f:
        f.write("items:\n" + "".join(f"  - Item number {i} of the list, about one aspect of the topic\n" for i in range(1, n + 1)))
PY
    start_server slow --latency benchmark --plan-items 8 --words 120
    SLOW="$PORT"
    start_server fast --latency none --plan-items 8 --words 120
    FAST="$PORT"
    export OPENAI_API_KEY=benchmark-key

    # critical MANIFEST…: the critical path in ms by the fake server's latency model (200 ms + 2 ms per
    # completion token): plan + slowest section + merge (a local template step: 0 ms of model time).
    critical() {
        python3 - "$@" <<'PY'
import json, sys
worst = 0
for path in sys.argv[1:]:
    m = json.load(open(path))
    assert m["status"] == "succeeded", (path, m["status"])
    lat = lambda call: 200 + 2 * call["usage"]["completion_tokens"]
    plan = m["steps"]["plan"]["calls"]
    sections = m["steps"]["sections"]["calls"]
    assert len(plan) == 1 and len(sections) == 8, (path, len(plan), len(sections))
    worst = max(worst, lat(plan[0]) + max(lat(c) for c in sections))
print(worst)
PY
    }
    TOPIC="Structured concurrency in Swift"
fi

if wants report; then
    note_load report
    : >"$WORK/report.txt"; : >"$WORK/report-ratio.txt"
    for i in $(seq 1 "$RUNS"); do
        out="output/bench-report-$i"; discard "${PWS:?}/$out"
        measure "$WORK/report.txt" env OPENAI_BASE_URL="http://127.0.0.1:$SLOW/v1" "$QUIRE" run publishing-report -C "$PWS" --provider openai \
            --model fake-model --var topic="$TOPIC" --out "$out" --color never
        check_ok "$WORK/report.txt" "quire run publishing-report"
        cp_ms=$(critical "$PWS/$out/manifest.json")
        tail -n1 "$WORK/report.txt" | awk -v c="$cp_ms" '{ print $1 / c }' >>"$WORK/report-ratio.txt"
    done
    CP_MS=$cp_ms
    row "\`publishing-report\`, 8-item plan: wall ÷ critical path" "≤ 1.05×" × "<=" 1.05 \
        "critical path $CP_MS ms; median wall $(awk '{ print $1 }' "$WORK/report.txt" | median) ms" \
        <"$WORK/report-ratio.txt"
fi

if wants concurrent; then
    note_load concurrent
    : >"$WORK/concurrent-ratio.txt"
    for round in $(seq 1 "$RUNS"); do
        pids=(); manifests=()
        t0=$(date +%s%N)
        for j in $(seq 1 20); do
            out="output/bench-c$round-$j"; discard "${PWS:?}/$out"
            OPENAI_BASE_URL="http://127.0.0.1:$SLOW/v1" timeout 600 "$QUIRE" run publishing-report -C "$PWS" \
                --provider openai --model fake-model --var topic="$TOPIC" --out "$out" --color never \
                >"$WORK/c-$j.out" 2>"$WORK/c-$j.err" &
            pids+=("$!"); manifests+=("$PWS/$out/manifest.json")
        done
        failed=0
        for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
        t1=$(date +%s%N)
        [ "$failed" = 0 ] || { echo "run.sh: $failed of 20 concurrent runs failed:" >&2; tail -n 5 "$WORK"/c-*.err >&2; exit 1; }
        cp_ms=$(critical "${manifests[@]}")
        echo "$(( (t1 - t0) / 1000000 )) $cp_ms" | awk '{ print $1 / $2 }' >>"$WORK/concurrent-ratio.txt"
    done
    row "20 \`quire run publishing-report\` processes at once: wall of all ÷ critical path of one" "≤ 1.10×" × "<=" 1.10 \
        "20 separate processes started together; critical path $cp_ms ms" <"$WORK/concurrent-ratio.txt"

    # The same 20 runs inside one process: `quire run --batch` with 20 entries (one client per provider).
    python3 -c 'import json, sys; print("\n".join(json.dumps({"topic": sys.argv[1]}) for _ in range(20)))' "$TOPIC" >"$WORK/batch-20.jsonl"
    : >"$WORK/inprocess.txt"; : >"$WORK/inprocess-ratio.txt"
    for round in $(seq 1 "$RUNS"); do
        measure "$WORK/inprocess.txt" env OPENAI_BASE_URL="http://127.0.0.1:$SLOW/v1" "$QUIRE" run publishing-report -C "$PWS" \
            --provider openai --model fake-model --batch "$WORK/batch-20.jsonl" --color never
        check_ok "$WORK/inprocess.txt" "quire run --batch"
        mapfile -t batch_manifests < <(sed "s|^|$PWS/|; s|/report.md\$|/manifest.json|" "$WORK/last.out")
        [ "${#batch_manifests[@]}" = 20 ] || { echo "run.sh: quire run --batch printed ${#batch_manifests[@]} reports, not 20" >&2; exit 1; }
        cp_ms=$(critical "${batch_manifests[@]}")
        tail -n1 "$WORK/inprocess.txt" | awk -v c="$cp_ms" '{ print $1 / c }' >>"$WORK/inprocess-ratio.txt"
    done
    row "20 runs of \`publishing-report\` at once in one process (\`quire run --batch\`, 20 entries): wall ÷ critical path of one" "≤ 1.10×" × "<=" 1.10 \
        "process start to exit; critical path $cp_ms ms; CPU $(awk '{ print ($2 + $3) * 1000 }' "$WORK/inprocess.txt" | median) ms for all 20" \
        <"$WORK/inprocess-ratio.txt"
fi

# fanout_run PORT ITEMS OUT-FILE: one `quire run fan-out` over ITEMS items at concurrency 64.
fanout_run() {
    local out="output/bench-fan-$2-$RANDOM"
    measure "$3" env OPENAI_BASE_URL="http://127.0.0.1:$1/v1" "$QUIRE" run fan-out -C "$FWS" --provider openai --model fake-model \
        --vars-file "$FWS/items-$2.yaml" --concurrency 64 --out "$out" --color never
    check_ok "$3" "quire run fan-out ($2 items)"
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["status"]=="succeeded" and m["calls"]==int(sys.argv[2]), (m["status"], m["calls"])' \
        "$FWS/$out/manifest.json" "$2"
    discard "${FWS:?}/$out"
}

if wants cpu; then
    note_load cpu
    : >"$WORK/cpu-100.txt"; : >"$WORK/cpu-1000.txt"
    for _ in $(seq 1 "$RUNS"); do
        fanout_run "$FAST" 100 "$WORK/cpu-100.txt"
        fanout_run "$FAST" 1000 "$WORK/cpu-1000.txt"
    done
    awk '{ print ($2 + $3) * 1000 / 1000 }' "$WORK/cpu-1000.txt" \
        | row "engine CPU per model call: (user+sys) ÷ calls, 1,000 calls, zero-latency server" "< 2 ms" ms/call "<" 2 \
            "whole process incl. start and validation; concurrency 64"
    paste -d' ' "$WORK/cpu-100.txt" "$WORK/cpu-1000.txt" \
        | awk '{ print (($7 + $8) - ($2 + $3)) * 1000 / 900 }' \
        | row "engine CPU per model call, marginal: (CPU(1,000) − CPU(100)) ÷ 900" "(< 2 ms)" ms/call "<" 2 \
            "fixed costs cancel out; for reference"
fi

if wants memory; then
    note_load memory
    : >"$WORK/memory.txt"
    # A server of its own, to read how many connections quire opened at once.
    start_server memory --latency benchmark --plan-items 8 --words 120
    MEMORY_PID="$SERVER_PID"
    for _ in $(seq 1 "$(( RUNS < 5 ? RUNS : 5 ))"); do fanout_run "$PORT" 1000 "$WORK/memory.txt"; done
    stop_server "$MEMORY_PID"
    peak=$(sed -n 's/.*at most \([0-9]*\) connections.*/\1/p' "$WORK/server-memory.log")
    awk '{ print $4 / 1024 }' "$WORK/memory.txt" \
        | row "1,000-item fan-out at concurrency 64: peak RSS of quire" "< 150 MB" MB "<" 150 \
            "200 ms + 2 ms/token server; median wall $(awk '{ print $1 / 1000 }' "$WORK/memory.txt" | median) s (ideal ≈ 16 waves × 0.44 s ≈ 7 s); at most $peak connections open at once"
fi
# --- 7. Reference: the same workflows as a plain Python asyncio script with the official `openai` package ---
if wants reference; then
    note_load reference
    VENV="$WORK/pyref-venv"
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import openai, sys; sys.exit(openai.__version__ != '$OPENAI_PY_VERSION')" 2>/dev/null; then
        echo "installing openai==$OPENAI_PY_VERSION into $VENV (PyPI)…" >&2
        rm -rf "$VENV"
        python3 -m venv "$VENV" >&2 || { echo "run.sh: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
        "$VENV/bin/pip" install -q "openai==$OPENAI_PY_VERSION" >&2 || { echo "run.sh: pip install openai failed" >&2; exit 1; }
    fi
    PY="$VENV/bin/python"
    REF="$ROOT/benchmarks/reference/workflows.py"
    RWORK="$WORK/reference"
    discard "$RWORK"; mkdir -p "$RWORK"

    : >"$WORK/py-report.txt"; : >"$WORK/py-report-ratio.txt"
    for i in $(seq 1 "$RUNS"); do
        measure "$WORK/py-report.txt" env OPENAI_BASE_URL="http://127.0.0.1:$SLOW/v1" "$PY" "$REF" publishing-report \
            --topic "$TOPIC" --out "$RWORK/report-$i"
        check_ok "$WORK/py-report.txt" "Python publishing-report"
        cp_ms=$(critical "$RWORK/report-$i/manifest.json")
        tail -n1 "$WORK/py-report.txt" | awk -v c="$cp_ms" '{ print $1 / c }' >>"$WORK/py-report-ratio.txt"
    done
    row "reference, Python + \`openai\` $OPENAI_PY_VERSION: \`publishing-report\`, wall ÷ critical path" "–" × "<=" - \
        "critical path $cp_ms ms; median wall $(awk '{ print $1 }' "$WORK/py-report.txt" | median) ms; CPU $(awk '{ print ($2 + $3) * 1000 }' "$WORK/py-report.txt" | median) ms" \
        <"$WORK/py-report-ratio.txt"

    : >"$WORK/py-concurrent-ratio.txt"
    for round in $(seq 1 "$RUNS"); do
        pids=(); manifests=()
        t0=$(date +%s%N)
        for j in $(seq 1 20); do
            OPENAI_BASE_URL="http://127.0.0.1:$SLOW/v1" timeout 600 "$PY" "$REF" publishing-report --topic "$TOPIC" \
                --out "$RWORK/c$round-$j" >"$WORK/pyc-$j.out" 2>"$WORK/pyc-$j.err" &
            pids+=("$!"); manifests+=("$RWORK/c$round-$j/manifest.json")
        done
        failed=0
        for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
        t1=$(date +%s%N)
        [ "$failed" = 0 ] || { echo "run.sh: $failed of 20 Python runs failed:" >&2; tail -n 5 "$WORK"/pyc-*.err >&2; exit 1; }
        cp_ms=$(critical "${manifests[@]}")
        echo "$(( (t1 - t0) / 1000000 )) $cp_ms" | awk '{ print $1 / $2 }' >>"$WORK/py-concurrent-ratio.txt"
    done
    row "reference, Python: 20 processes at once, wall ÷ critical path of one" "–" × "<=" - \
        "critical path $cp_ms ms" <"$WORK/py-concurrent-ratio.txt"

    : >"$WORK/py-inprocess.txt"; : >"$WORK/py-inprocess-ratio.txt"
    for round in $(seq 1 "$RUNS"); do
        measure "$WORK/py-inprocess.txt" env OPENAI_BASE_URL="http://127.0.0.1:$SLOW/v1" "$PY" "$REF" publishing-report \
            --topic "$TOPIC" --runs 20 --out "$RWORK/ip$round"
        check_ok "$WORK/py-inprocess.txt" "Python publishing-report --runs 20"
        cp_ms=$(critical "$RWORK/ip$round"-*/manifest.json)
        tail -n1 "$WORK/py-inprocess.txt" | awk -v c="$cp_ms" '{ print $1 / c }' >>"$WORK/py-inprocess-ratio.txt"
    done
    row "reference, Python: 20 runs at once in one process (asyncio.gather), wall ÷ critical path of one" "–" × "<=" - \
        "critical path $cp_ms ms; CPU $(awk '{ print ($2 + $3) * 1000 }' "$WORK/py-inprocess.txt" | median) ms for all 20" \
        <"$WORK/py-inprocess-ratio.txt"

    : >"$WORK/py-cpu-1000.txt"
    for i in $(seq 1 "$RUNS"); do
        measure "$WORK/py-cpu-1000.txt" env OPENAI_BASE_URL="http://127.0.0.1:$FAST/v1" "$PY" "$REF" fan-out \
            --items "$FWS/items-1000.yaml" --concurrency 64 --out "$RWORK/fan-$i"
        check_ok "$WORK/py-cpu-1000.txt" "Python fan-out"
        [ "$(ls "$RWORK/fan-$i" | wc -l)" = 1001 ] || { echo "run.sh: the Python fan-out wrote $(ls "$RWORK/fan-$i" | wc -l) files, not 1,001" >&2; exit 1; }
        discard "${RWORK:?}/fan-$i"
    done
    awk '{ print ($2 + $3) * 1000 / 1000 }' "$WORK/py-cpu-1000.txt" \
        | row "reference, Python: CPU per model call, 1,000 calls, zero-latency server" "–" ms/call "<" - \
            "whole process incl. start (importing \`openai\`); concurrency 64; peak RSS $(awk '{ print $4 / 1024 }' "$WORK/py-cpu-1000.txt" | median) MB"
    if [ -s "$WORK/cpu-1000.txt" ]; then
        q=$(awk '{ print ($2 + $3) }' "$WORK/cpu-1000.txt" | precise_median)
        p=$(awk '{ print ($2 + $3) }' "$WORK/py-cpu-1000.txt" | precise_median)
        echo "$q $p" | awk '{ print $1 / $2 }' \
            | row "Quire CPU ÷ Python CPU, 1,000-call fan-out (medians)" "≤ 0.10×" × "<=" 0.10 "Quire $q s, Python $p s of user+sys CPU"
    fi
fi
note_load end
cleanup
rm -rf "${TRASH:?}"
date +%s >"$LAST_DELETE"

# --- The table -------------------------------------------------------------------------------------------
echo
if [ "$STUB" = 1 ]; then
    echo "**WARNING: built with Sources/QuireCore/_Stubs.swift — templates render as empty strings; these figures are NOT valid.**"
    echo
fi
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ { print $2 }') GiB;" \
    "$(swift --version 2>/dev/null | head -n1 | sed 's/ (.*//'); quire $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift || echo '+changes'); $(date -u +%Y-%m-%d)."
echo "Load average (1, 5, 15 min) before each benchmark: $(paste -sd';' "$LOADS" | sed 's/;/; /g')."
echo
echo "| benchmark | target | median | spread (min–max) | runs | result | notes |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$ROWS"
