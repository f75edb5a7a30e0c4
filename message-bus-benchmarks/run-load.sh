#!/usr/bin/env bash
# HTTP load test: a LoadServer JVM and a LoadClient JVM on this machine, over loopback sockets.
#
#   message-bus-benchmarks/run-load.sh                  # N=1000
#   N=10000 RATE=2 COUNT=60 message-bus-benchmarks/run-load.sh
#
# Environment (defaults in brackets):
#   N [1000]            concurrent streaming long polls, one client id and one TCP connection each
#   RATE [2]            messages published per second on the load channel
#   COUNT [60]          messages published
#   THREADS [1]         selector threads of the load client
#   SOURCES [1]         loopback source addresses (127.0.0.1..) to spread connections over
#   INTERVAL_MS [25000] the server's long-polling interval (each poll is re-issued after it)
#   SERVER_HEAP [1g]    -Xms/-Xmx of the server JVM
#   CLIENT_HEAP [1g]    -Xms/-Xmx of the client JVM
#   SERVER_GC [G1GC]    the server's collector (-XX:+Use<SERVER_GC>), e.g. ParallelGC, ZGC
#   SERVER_OPTS []      extra server JVM options
#   JFR [] / JFR=1      record the server with JFR (target/load-<N>.jfr)
#   OUT [target/load-results.jsonl]  where the client appends its result line
#   BUILD [1]           0 to skip the Maven build
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
N="${N:-1000}" RATE="${RATE:-2}" COUNT="${COUNT:-60}" THREADS="${THREADS:-1}" SOURCES="${SOURCES:-1}"
INTERVAL_MS="${INTERVAL_MS:-25000}" SERVER_HEAP="${SERVER_HEAP:-1g}" CLIENT_HEAP="${CLIENT_HEAP:-1g}"
OUT="${OUT:-$here/target/load-results.jsonl}"

if [[ "${BUILD:-1}" == 1 ]]; then
  (cd "$root" && mvn -B -q -pl message-bus-benchmarks -am package -DskipTests -Dspotless.check.skip=true)
fi
jar="$here/target/benchmarks.jar"

# File descriptors: each JVM needs one per connection plus its own (jars, selectors, epoll).
need=$((N + 1024))
if (( $(ulimit -n) < need )); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if (( $(ulimit -n) < need )); then
    echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); $need needed for N=$N" >&2
    exit 1
  fi
fi
# Source ports: loopback connections from one source address need N ephemeral ports.
read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
if (( hi - lo + 1 < N + 1000 )); then
  if ! sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" 2>/dev/null; then
    echo "ephemeral port range $lo-$hi is too small for N=$N and cannot be changed: use SOURCES" >&2
  fi
fi
read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
echo "conditions: $(java -version 2>&1 | head -1); $(nproc) cores; ulimit -n $(ulimit -n);" \
  "ports $lo-$hi; somaxconn $(cat /proc/sys/net/core/somaxconn); load $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$here/target"
log="$here/target/load-server-$N.log"
jfr=()
if [[ -n "${JFR:-}" ]]; then
  jfr=("-XX:StartFlightRecording=filename=$here/target/load-$N.jfr,settings=profile,dumponexit=true")
fi
# shellcheck disable=SC2086
java -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" -XX:+Use"${SERVER_GC:-G1GC}" "${jfr[@]}" ${SERVER_OPTS:-} \
  -DlongPollingIntervalMs="$INTERVAL_MS" -Dport=0 \
  -cp "$jar" org.messagebus.benchmarks.load.LoadServer > "$log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^LISTENING //p' "$log")"
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
[[ -n "$port" ]] || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }

java -Xms"$CLIENT_HEAP" -Xmx"$CLIENT_HEAP" -XX:+UseG1GC \
  -cp "$jar" org.messagebus.benchmarks.load.LoadClient \
  port="$port" n="$N" rate="$RATE" count="$COUNT" threads="$THREADS" sources="$SOURCES" out="$OUT"

echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "${JFR:-}" ]]; then
  curl -s -X POST "http://127.0.0.1:$port/control/stop" > /dev/null || true
  wait "$server_pid" || true
  echo "JFR recording: $here/target/load-$N.jfr"
fi
