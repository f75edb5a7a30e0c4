#!/usr/bin/env bash
# Scale-out load test: NODES LoadServer processes (separate JVMs) on one Redis, one LoadClient whose
# simulated browsers are spread evenly over them (browser i polls node i % NODES), and every message
# published on node 1 only. Prints one NODE line per server: browsers, delivered of expected,
# duplicates, p50 and p99 publish -> receipt; then the LoadClient's usual summary for the whole run.
#
#   message-bus-benchmarks/run-scaleout.sh                       # 3 x 300 long-pollers, 20 msgs at 2/s
#   NODES=3 N_PER_NODE=1000 MODE=streaming message-bus-benchmarks/run-scaleout.sh
#
# Environment (defaults in brackets):
#   REDIS [redis://127.0.0.1:6379/11]  the Redis all nodes share; node 1 flushes (FLUSHDB) this
#                       database when it starts, the other nodes leave it as it is (-DresetStore=false)
#   NODES [3]           server processes
#   N_PER_NODE [300]    browsers per node (the client runs NODES x N_PER_NODE)
#   MODE [longpoll]     streaming, longpoll (Dont-Chunk: a new poll after each delivery) or poll
#   KEEPALIVE [1]       0: the client opens a connection per poll
#   RATE [2]            messages published per second (on node 1)
#   COUNT [20]          measured messages
#   WARMUP [5]          warm-up messages (published first, not counted)
#   DRAIN_SECONDS [30]  how long to wait for late deliveries after the last publish
#   INTERVAL_MS [25000] the servers' long-polling interval
#   SERVER_HEAP [384m]  -Xms/-Xmx of each server
#   CLIENT_HEAP [512m]  -Xms/-Xmx of the client JVM
#   LABEL [scaleout]    free text copied into the result line
#   OUT [target/scaleout-results.jsonl]  where the client appends its result line (whole run)
#   BUILD [1]           0 to skip the Maven build
#
# The client's summary (server CPU, RSS, held polls after ramp) reads node 1's control routes only;
# the NODE lines are the per-node delivery figures.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

REDIS="${REDIS:-redis://127.0.0.1:6379/11}" NODES="${NODES:-3}" N_PER_NODE="${N_PER_NODE:-300}"
MODE="${MODE:-longpoll}" KEEPALIVE="${KEEPALIVE:-1}" RATE="${RATE:-2}" COUNT="${COUNT:-20}"
WARMUP="${WARMUP:-5}" INTERVAL_MS="${INTERVAL_MS:-25000}" SERVER_HEAP="${SERVER_HEAP:-384m}"
CLIENT_HEAP="${CLIENT_HEAP:-512m}" OUT="${OUT:-$here/target/scaleout-results.jsonl}"
[[ "$KEEPALIVE" == 1 ]] && keep=true || keep=false
n=$((NODES * N_PER_NODE))

if [[ "${BUILD:-1}" == 1 ]]; then
  (cd "$root" && mvn -B -q -pl message-bus-benchmarks -am package -DskipTests -Dspotless.check.skip=true)
fi
jar="$here/target/benchmarks.jar"

need=$((n + 1024))
if (( $(ulimit -n) < need )); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (( $(ulimit -n) >= need )) || { echo "ulimit -n is $(ulimit -n); $need needed" >&2; exit 1; }
fi
echo "conditions: $(java -version 2>&1 | head -1); $(nproc) cores; $NODES nodes on $REDIS;" \
  "$n browsers ($N_PER_NODE per node), $MODE, keep-alive $keep; $COUNT msgs at $RATE/s on node 1;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$here/target"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

ports=()
for i in $(seq 1 "$NODES"); do
  log="$here/target/scaleout-node-$i.log"
  : > "$log"
  reset=false
  [[ "$i" == 1 ]] && reset=true
  java -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" -XX:+UseG1GC \
    -DlongPollingIntervalMs="$INTERVAL_MS" -Dport=0 -Dbackend="$REDIS" -DresetStore="$reset" \
    -DclkTck="$(getconf CLK_TCK)" \
    -cp "$jar" org.messagebus.benchmarks.load.LoadServer > "$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  port=""
  for _ in $(seq 1 300); do
    port="$(sed -n 's/^LISTENING \([0-9]*\).*/\1/p' "$log")"
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  [[ -n "$port" ]] || { echo "node $i did not start" >&2; cat "$log" >&2; exit 1; }
  echo "node $i: pid $pid, port $port"
  ports+=("$port")
done

java -Xms"$CLIENT_HEAP" -Xmx"$CLIENT_HEAP" -XX:+UseG1GC \
  -cp "$jar" org.messagebus.benchmarks.load.LoadClient \
  port="${ports[0]}" ports="$(IFS=,; echo "${ports[*]}")" threads="$NODES" n="$n" mode="$MODE" \
  keepAlive="$keep" rate="$RATE" count="$COUNT" warmup="$WARMUP" \
  drainSeconds="${DRAIN_SECONDS:-30}" label="${LABEL:-scaleout}" out="$OUT"

echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
for port in "${ports[@]}"; do
  curl -s -X POST "http://127.0.0.1:$port/control/stop" > /dev/null || true
done
