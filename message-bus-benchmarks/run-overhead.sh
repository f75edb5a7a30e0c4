#!/usr/bin/env bash
# The metrics overhead of issue 15, item 4, in one command (BENCHMARKS.md, "Metrics overhead"):
#   1. builds the benchmarks jar of BASE — the last commit on main before the observation hook — in a
#      temporary git worktree (mvn -o package of only what it needs, tests skipped; never install),
#      cached by commit for the next run, and runs its PublishDispatchBenchmark (publishOnly,
#      roundTrip): the code before the hook;
#   2. builds this tree's benchmarks jar and runs ObserverOverheadBenchmark (the same two operations
#      with observer none / unbound / registry) and HttpFanOutBenchmark (100 streaming polls, none /
#      unbound / registry);
#   3. prints one table: time per operation, CPU per operation (process CPU time of all threads,
#      CpuTimeProfiler), bytes allocated per operation (-prof gc) and, when `perf` can count
#      instructions here, instructions per operation (-prof perfnorm) — each with its 99.9 % error.
# Every run is in average time, microseconds per operation, with the same forks and iterations.
#
# Run it on a quiet machine (the figures are meaningless under load; the table prints the load
# average before and after):   message-bus-benchmarks/run-overhead.sh
# Environment:
#   FORKS (3), WARMUPS (3), WARMUP_SECONDS (2), ITERATIONS (5), SECONDS_PER_ITERATION (2): about
#     50 s per configuration, 11 configurations, ~10 minutes of runs plus the two builds;
#   QUICK=1: 1 fork, 1 × 1 s warm-up, 2 × 1 s — only to check that the script works (no error bars);
#   BASE (6472ea1259c0d70a8f584d128fb7eff399e0a5f7, main before "Merge branch
#     'metrics-merge-recent-window'", which brought the hook, d82e567);
#   OUT (${TMPDIR:-/tmp}/message-bus-overhead): the JSON results, the cached base jar, the run log;
#   SKIP_BUILD=1: use this tree's message-bus-benchmarks/target/benchmarks.jar as it is.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
base="${BASE:-6472ea1259c0d70a8f584d128fb7eff399e0a5f7}"
out="${OUT:-${TMPDIR:-/tmp}/message-bus-overhead}"
if [[ "${QUICK:-0}" == 1 ]]; then
  forks=1 warmups=1 warmup_s=1 iterations=2 seconds=1
else
  forks="${FORKS:-3}" warmups="${WARMUPS:-3}" warmup_s="${WARMUP_SECONDS:-2}"
  iterations="${ITERATIONS:-5}" seconds="${SECONDS_PER_ITERATION:-2}"
fi
build=(mvn -o -q -B -DskipTests -Dgates.coverage.skip=true -Dspotless.check.skip=true
  -Dgates.errorprone.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
  -pl message-bus-benchmarks -am package)

mkdir -p "$out"
base_sha="$(git -C "$root" rev-parse --verify "$base^{commit}")"
base_jar="$out/base-${base_sha:0:12}.jar"
current_jar="$root/message-bus-benchmarks/target/benchmarks.jar"
log="$out/run.log"
: >"$log"
say() { echo "[run-overhead $(date -u +%H:%M:%S)] $*" | tee -a "$log" >&2; }

# 1. The base jar, built once per commit in a temporary worktree that is removed afterwards.
if [[ ! -s "$base_jar" ]]; then
  tree="$(mktemp -d "$out/base-tree.XXXXXX")"
  cleanup() { git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; }
  trap cleanup EXIT
  say "building the benchmarks of ${base_sha:0:12} (before the hook) in $tree"
  git -C "$root" worktree add --detach -q "$tree" "$base_sha"
  (cd "$tree" && "${build[@]}") >>"$log" 2>&1 || { say "the base build failed, see $log"; exit 1; }
  cp "$tree/message-bus-benchmarks/target/benchmarks.jar" "$base_jar"
  cleanup
  trap - EXIT
fi

# 2. This tree's jar.
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  say "building this tree's benchmarks"
  (cd "$root" && "${build[@]}") >>"$log" 2>&1 || { say "the build failed, see $log"; exit 1; }
fi
[[ -s "$current_jar" ]] || { say "no $current_jar: build it or unset SKIP_BUILD"; exit 1; }

# The CPU profiler is new: the base run takes its class from this tree's jar, on its own.
prof_dir="$out/profiler"
rm -rf "$prof_dir" && mkdir -p "$prof_dir"
unzip -q -o "$current_jar" 'org/messagebus/benchmarks/CpuTimeProfiler*.class' -d "$prof_dir"

profilers=(-prof gc -prof org.messagebus.benchmarks.CpuTimeProfiler)
if perf stat -x, -e instructions true 2>&1 | grep -Eq '^[0-9]+,'; then
  profilers+=(-prof perfnorm)
else
  say "perf cannot count instructions here: no instructions per operation (CPU time only)"
fi
jmh=(-f "$forks" -wi "$warmups" -w "${warmup_s}s" -i "$iterations" -r "${seconds}s"
  -bm avgt -tu us -foe true "${profilers[@]}" -rf json)

load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
say "load average before: $load_before ($(nproc) cores); forks $forks, warm-up ${warmups}x${warmup_s}s, measurement ${iterations}x${seconds}s"

failed() { say "$1 failed, see $log"; exit 1; }
say "base: PublishDispatchBenchmark"
java -cp "$base_jar:$prof_dir" org.openjdk.jmh.Main 'PublishDispatchBenchmark\.(publishOnly|roundTrip)$' \
  "${jmh[@]}" -rff "$out/base.json" >>"$log" 2>&1 || failed "the base run"
say "current: ObserverOverheadBenchmark"
java -jar "$current_jar" 'ObserverOverheadBenchmark' "${jmh[@]}" -rff "$out/observer.json" \
  >>"$log" 2>&1 || failed "ObserverOverheadBenchmark"
say "current: HttpFanOutBenchmark"
java -jar "$current_jar" 'HttpFanOutBenchmark' "${jmh[@]}" -rff "$out/fanout.json" \
  >>"$log" 2>&1 || failed "HttpFanOutBenchmark"
load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# 3. The table.
python3 - "$out" "$base_sha" "$load_before" "$load_after" "$forks x ($warmups x ${warmup_s}s + $iterations x ${seconds}s)" <<'EOF'
import json, os, platform, subprocess, sys

out, base_sha, load_before, load_after, runs = sys.argv[1:6]

def load(name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)

rows = {}  # (operation, column) -> result
for r in load("base.json"):
    rows[(r["benchmark"].rsplit(".", 1)[1], "before hook")] = r
for name in ("observer.json", "fanout.json"):
    for r in load(name):
        rows[(r["benchmark"].rsplit(".", 1)[1], r["params"]["observer"])] = r

def metric(r, key):
    if key == "time":
        return r["primaryMetric"]
    sec = r.get("secondaryMetrics", {})
    if key == "instructions":
        key = next((k for k in sec if k.startswith("instructions")), None)
    return sec.get(key) if key else None

def fmt(m, digits=2):
    if m is None:
        return "—"
    err = m.get("scoreError")
    s = f"{m['score']:,.{digits}f}"
    if isinstance(err, (int, float)) and err == err:  # not NaN (one iteration has no error)
        s += f" ± {err:,.{digits}f}"
    return s

def rel(r, none, key):
    a, b = metric(r, key), metric(none, key) if none else None
    if not a or not b or not b["score"]:
        return ""
    return f" ({(a['score'] / b['score'] - 1) * 100:+.1f} %)"

columns = ["before hook", "none", "unbound", "registry"]
metrics = [("time", "time µs/op", 2), ("cpu.time.norm", "CPU µs/op", 2),
           ("gc.alloc.rate.norm", "alloc B/op", 0), ("instructions", "instructions/op", 0)]
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print()
print(f"Metrics overhead (issue 15): base {base_sha[:12]} vs this tree; {runs} per configuration")
print(f"{platform.node()}, {os.cpu_count()} cores, {java}; load average before {load_before}, after {load_after}")
print()
print("| operation | measure | " + " | ".join(columns) + " |")
print("|---|---|" + "---|" * len(columns))
for op in ("publishOnly", "roundTrip", "fanOut"):
    none = rows.get((op, "none"))
    for key, label, digits in metrics:
        cells = []
        for c in columns:
            r = rows.get((op, c))
            m = metric(r, key) if r else None
            cells.append(fmt(m, digits) + (rel(r, none, key) if r and c != "none" and m else ""))
        if all(c == "—" for c in cells):
            continue
        print(f"| `{op}` | {label} | " + " | ".join(cells) + " |")
print()
print("Percentages are against `none`. `before hook` ran PublishDispatchBenchmark of the base commit;")
print("`fanOut` is HttpFanOutBenchmark (100 streaming polls), which does not exist there.")
print(f"JSON and the JMH log: {out}")
EOF
