#!/usr/bin/env bash
# HTTP load test: a load server (the Java LoadServer, or the Ruby original under Puma) and a
# LoadClient JVM on this machine, over loopback sockets. One run, or the whole matrix.
#
#   message-bus-benchmarks/run-load.sh                                  # one run: N=1000, streaming
#   N=5000 BACKEND=redis MODE=longpoll message-bus-benchmarks/run-load.sh
#   N=5000 BACKEND=redis MODE=sse message-bus-benchmarks/run-load.sh     # Server-Sent Events
#   N=5000 BACKEND=redis MODE=websocket message-bus-benchmarks/run-load.sh   # WebSocket
#   MATRIX=1 BACKEND=redis message-bus-benchmarks/run-load.sh           # modes x N, JSON lines
#   COMPARE=1 BACKEND=redis message-bus-benchmarks/run-load.sh          # the same, Java and Ruby
#   SERVER=ruby BACKEND=redis MODE=longpoll message-bus-benchmarks/run-load.sh   # the Ruby gem
#   message-bus-benchmarks/plot-load.sh target/load-results.jsonl       # PNG charts
#
# Environment (defaults in brackets):
#   SERVER [java]       java (LoadServer) or ruby (Discourse's message_bus under Puma, ruby/config.ru)
#   BACKEND [memory]    memory, redis (= redis://127.0.0.1:6379/10), redis://host:port/db,
#                       postgres (Java: jdbc:postgresql://127.0.0.1:5432/test, table
#                       loadbench_message_bus; Ruby: database loadbench), or a jdbc:postgresql: URL.
#                       A Redis database is flushed when the server starts.
#   REDIS_PRIVATE []    1: start a private redis-server on a free port for this run (BACKEND=redis),
#                       so that INFO commandstats counts only this run's commands
#   MODE [streaming]    streaming, longpoll (Dont-Chunk: a new poll after each delivery), poll (?dlp=t),
#                       sse (one Server-Sent Events stream per browser, resumed with Last-Event-ID)
#                       or websocket (one socket per browser; the Java server then serves the
#                       WebSocket endpoint, -DwebSocket=true); sse and websocket: Java server only
#   KEEPALIVE [1]       0: the client sends Connection: close and opens a connection per poll
#   N [1000]            simulated browsers, one client id and one TCP connection each
#   RATE [2]            messages published per second
#   COUNT [60]          measured messages
#   WARMUP [20; streaming: 20 + 2 x INTERVAL_MS x RATE, 120 by default]  warm-up messages
#                       (published first, not counted); streaming warms up over two intervals so
#                       that the re-poll path after each stream's end is compiled
#   JIT_QUIET [5]       then (Java server) more warm-up rounds of 10 s (streaming: the interval + 5 s)
#                       until one where the JIT compiled for at most this per cent of the server's
#                       CPU time, or under 100 ms; 0: none. The result line says how many rounds
#                       (jitWarmupRounds), whether the JIT went quiet (jitQuiet) and how long it
#                       compiled in the measured window (serverJitSeconds, serverJitPercentOfCpu)
#   JIT_WARMUP_MAX [300]  at most this many seconds of such rounds
#   THREADS [1]         selector threads of the load client
#   SOURCES [1]         loopback source addresses (127.0.0.1..) to spread connections over
#   POLL_INTERVAL_MS [1000]  poll mode: time between polls that brought nothing (browsers: 15000)
#   REPOLL_DELAY_MS [0]      wait before re-polling after data or a stream's end (browsers: 100)
#   DRAIN_SECONDS [30]  how long to wait for late deliveries after the last publish
#   INTERVAL_MS [25000] the server's long-polling interval
#   SERVER_HEAP [64 MiB + 10 KiB x N; websocket: 16 KiB x N]  -Xms/-Xmx of the Java server: by
#                       default sized from N
#                       with the formula of docs/operations.md, "Memory" (1g: the runs before it);
#                       the server also runs with MALLOC_ARENA_MAX=2, as bin/demo does
#   CLIENT_HEAP [1g]    -Xms/-Xmx of the client JVM
#   SERVER_GC [ParallelGC]  the Java server's collector (-XX:+Use<SERVER_GC>), as bin/demo; G1GC:
#                       the runs before 2026-12-03
#   SERVER_TRIM [5000]  the Java server's -XX:TrimNativeHeapInterval (ms), as bin/demo; 0: off
#   SERVER_PRETOUCH [1] 1: the Java server touches its heap at start (-XX:+AlwaysPreTouch), as
#                       bin/demo, so that its RSS is the whole heap from the start; 0: off (the runs
#                       before 2026-12-05)
#   SERVER_OPTS []      extra Java server JVM options (-DcloseHeldPollConnections=true: Ruby's close)
#                       (-DuserLookup=true: a user id lookup, the Jetty core handler then a blocking
#                       one; with -DnonBlockingLookups=true declared non-blocking)
#                       (-Dacceptors=0: the selector accepts new connections, MessageBusServer's
#                       acceptors(0); default -1, Jetty's one acceptor thread)
#   ADAPTER [AUTO]      the Java server's adapter: AUTO (the Jetty core handler), SERVLET, JETTY_CORE
#   JFR [] / JFR=1      record the Java server with JFR (target/load-<N>.jfr)
#   DIAGNOSTICS []      1: the Java server tracks native memory (-XX:NativeMemoryTracking=summary)
#                       and, once the run is over and every poll is held again, the client writes
#                       its GC.heap_info, VM.native_memory summary, largest resident mappings
#                       (/proc/self/smaps) and class histogram to
#                       target/diagnostics-<MODE>-<N>.txt
#   RUBY_WORKERS [2]    Puma workers (0: single process; required for BACKEND=memory)
#   RUBY_THREADS [4:16] Puma threads per worker (min:max)
#   MB_RUBY_SRC [target/ruby-message-bus]  the unpacked gem; unpacked from MB_RUBY_GIT if missing
#   MB_RUBY_GIT [/work/.mirror/discourse+message_bus/repo]  a git directory of discourse/message_bus
#   CHANNELS [1]        channels the browsers are spread over (browser i polls /load/<i % CHANNELS>,
#                       message k goes to /load/<k % CHANNELS>); Java server only
#   SAMPLE_SECONDS [0]  soak: sample the server (heap after GC, RSS, threads, fds) and the latency of
#                       each period every this many seconds of the measured window (SAMPLE lines)
#   SAMPLES_OUT []      file the samples are appended to as JSON lines
#   STORM []            repoll or outage: a storm run instead of a delivery run (docs/operations.md,
#                       "Storms"): the browsers follow the JS client's schedule and error backoff, and
#                       once every one is held the client records when their polls arrive for
#                       STORM_SECONDS; repoll: the re-polls when the held polls end; outage: the
#                       server is killed (SIGKILL) once every poll is held and restarted on the same
#                       port after OUTAGE_SECONDS, and the reconnections are recorded (Java server)
#   STORM_SECONDS [90]  how long a storm run records
#   OUTAGE_SECONDS [30] outage: how long the server stays down
#   BACKOFF_JITTER [0]  storm runs: the JS client's backoffJitter (0: the stock client's exact delays)
#   MIN_HOLD_MS []      the Java server's longPollingMinHoldMs (unset: its default, 15000; set it
#                       to INTERVAL_MS for every poll held exactly the interval)
#   LABEL []            free text copied into the result line
#   OUT [target/load-results.jsonl]  where the client appends its result line
#   BUILD [1]           0 to skip the Maven build
#   JAR [target/benchmarks.jar]  the benchmarks jar to run (a copy lets a build run meanwhile)
#   MATRIX []           1: run every mode in MODES for every N in NS, one fresh server per run
#   MODES [streaming longpoll longpoll-close poll]   (-close = KEEPALIVE=0; sse and websocket
#                       may be listed too)
#   NS [1000 5000 10000]
#   SERVERS [$SERVER]   with MATRIX=1: the servers to run each cell on, e.g. "java ruby"
#   COMPARE []          1: MATRIX=1 with SERVERS="java ruby" (the side-by-side comparison)
set -euo pipefail
SERVER_GC="${SERVER_GC:-ParallelGC}"
SERVER_TRIM="${SERVER_TRIM:-5000}"
pretouch=()
if [[ "${SERVER_PRETOUCH:-1}" == 1 ]]; then
  pretouch=(-XX:+AlwaysPreTouch)
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
export OUT="${OUT:-$here/target/load-results.jsonl}"

if [[ "${BUILD:-1}" == 1 ]]; then
  (cd "$root" && mvn -B -q -pl message-bus-benchmarks -am package -DskipTests -Dspotless.check.skip=true)
fi
jar="${JAR:-$here/target/benchmarks.jar}"

if [[ "${COMPARE:-}" == 1 ]]; then
  MATRIX=1
  SERVERS="${SERVERS:-java ruby}"
fi
if [[ "${MATRIX:-}" == 1 ]]; then
  for n in ${NS:-1000 5000 10000}; do
    for cell in ${MODES:-streaming longpoll longpoll-close poll}; do
      for server in ${SERVERS:-${SERVER:-java}}; do
        keep=1
        [[ "$cell" == *-close ]] && keep=0
        echo "=== matrix: SERVER=$server BACKEND=${BACKEND:-memory} N=$n MODE=${cell%-close} KEEPALIVE=$keep"
        COMPARE=0 MATRIX=0 BUILD=0 SERVER="$server" N="$n" MODE="${cell%-close}" KEEPALIVE="$keep" "$0" ||
          echo "=== run failed: $server N=$n $cell (continuing)" >&2
      done
    done
  done
  echo "results: $OUT"
  exit 0
fi

SERVER="${SERVER:-java}" BACKEND="${BACKEND:-memory}" MODE="${MODE:-streaming}" KEEPALIVE="${KEEPALIVE:-1}"
N="${N:-1000}" RATE="${RATE:-2}" COUNT="${COUNT:-60}" THREADS="${THREADS:-1}"
SOURCES="${SOURCES:-1}" INTERVAL_MS="${INTERVAL_MS:-25000}"
if [[ -z "${WARMUP:-}" ]]; then
  WARMUP=20
  # A stream ends after its hold (at most the interval) and the browser polls again: warm up over
  # two intervals, so that the JIT has compiled that path before the window (with 20 messages,
  # 10 s, it compiled it during the window: a quarter of the server's CPU samples there).
  if [[ "$MODE" == streaming ]]; then
    WARMUP="$(awk -v i="$INTERVAL_MS" -v r="$RATE" 'BEGIN { printf "%d", 20 + 2 * i * r / 1000 }')"
  fi
fi
# Then warm-up rounds until the Java server's JIT is quiet (LoadArgs jitQuietPercent): two intervals
# were not enough either (the compiler still took 29 % of the server's CPU in the window with streams
# restarting every 15 s). A streaming round outlasts the interval, so each round sees every restart.
JIT_ROUND_SECONDS=10
[[ "$MODE" == streaming ]] && JIT_ROUND_SECONDS=$((INTERVAL_MS / 1000 + 5))
per_connection_kib=10
[[ "${MODE:-streaming}" == websocket ]] && per_connection_kib=16
SERVER_HEAP="${SERVER_HEAP:-$((64 + (N * per_connection_kib + 1023) / 1024))m}"
CLIENT_HEAP="${CLIENT_HEAP:-1g}"
[[ "$BACKEND" == redis ]] && BACKEND="redis://127.0.0.1:6379/10"
[[ "$KEEPALIVE" == 1 ]] && keep=true || keep=false
case "$MODE" in
  streaming | longpoll | poll) ;;
  sse | websocket)
    if [[ "$SERVER" != java ]]; then
      echo "MODE=$MODE needs SERVER=java (the Ruby gem has no Server-Sent Events or WebSocket)" >&2
      exit 2
    fi
    ;;
  *)
    echo "MODE must be streaming, longpoll, poll, sse or websocket, not $MODE" >&2
    exit 2
    ;;
esac
ws_opt=()
[[ "$MODE" == websocket ]] && ws_opt=(-DwebSocket=true)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# File descriptors: each process needs one per connection plus its own.
need=$((N + 1024))
if (( $(ulimit -n) < need )); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if (( $(ulimit -n) < need )); then
    echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); $need needed for N=$N" >&2
    exit 1
  fi
fi
# Source ports: loopback connections from one source address need N ephemeral ports (more
# without keep-alive: every closed connection waits in TIME_WAIT on the side that closed first).
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
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

if [[ -n "${REDIS_PRIVATE:-}" ]]; then
  rport="$(free_port)"
  mkdir -p "$here/target/redis-private"
  redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$here/target/redis-private" > "$here/target/redis-private/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$rport" ping > /dev/null 2>&1 && break; sleep 0.1; done
  BACKEND="redis://127.0.0.1:$rport/10"
  echo "private Redis on port $rport"
fi

log="$here/target/load-server-$SERVER-$N.log"
# made before the server starts: the wait below reads it before the background job may have opened it
: > "$log"
if [[ "$SERVER" == java ]]; then
  jfr=()
  if [[ -n "${JFR:-}" ]]; then
    jfr=("-XX:StartFlightRecording=filename=$here/target/load-$N.jfr,settings=profile,dumponexit=true")
  fi
  if [[ -n "${DIAGNOSTICS:-}" ]]; then
    jfr+=("-XX:NativeMemoryTracking=summary")
  fi
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" java -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" -XX:+Use"$SERVER_GC" -XX:TrimNativeHeapInterval="$SERVER_TRIM" "${pretouch[@]}" "${jfr[@]}" "${ws_opt[@]}" ${SERVER_OPTS:-} \
    -DlongPollingIntervalMs="$INTERVAL_MS" ${MIN_HOLD_MS:+-DlongPollingMinHoldMs="$MIN_HOLD_MS"} -Dport=0 -Dbackend="$BACKEND" -Dadapter="${ADAPTER:-AUTO}" -DclkTck="$(getconf CLK_TCK)" \
    -cp "$jar" org.messagebus.benchmarks.load.LoadServer > "$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  port=""
  for _ in $(seq 1 300); do
    port="$(sed -n 's/^LISTENING \([0-9]*\).*/\1/p' "$log")"
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
elif [[ "$SERVER" == ruby ]]; then
  port="$(free_port)"
  # shellcheck source=ruby/ruby-env.sh
  source "$here/ruby/ruby-env.sh"
  ruby_env "$BACKEND"
  (cd "$here/ruby" && exec puma -e production -w "$RUBY_WORKERS" -t "${RUBY_THREADS:-4:16}" \
    -b "tcp://127.0.0.1:$port" config.ru) > "$log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/control/stats" > /dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
else
  echo "SERVER must be java or ruby, not $SERVER" >&2
  exit 2
fi
curl -sf "http://127.0.0.1:$port/control/stats" > /dev/null || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }

client_args=()
if [[ -n "${STORM:-}" ]]; then
  client_args=(storm="$STORM" backoffJitter="${BACKOFF_JITTER:-0}" stormSeconds="${STORM_SECONDS:-90}")
fi
if [[ "${STORM:-}" == outage ]]; then
  [[ "$SERVER" == java ]] || { echo "STORM=outage needs SERVER=java" >&2; exit 2; }
  client_log="$here/target/storm-client-$N.log"
  java -Xms"$CLIENT_HEAP" -Xmx"$CLIENT_HEAP" -XX:+UseG1GC \
    -cp "$jar" org.messagebus.benchmarks.load.LoadClient \
    port="$port" n="$N" mode="$MODE" keepAlive="$keep" threads="$THREADS" sources="$SOURCES" \
    label="${LABEL:-}" out="$OUT" "${client_args[@]}" > "$client_log" 2>&1 &
  client_pid=$!
  pids+=("$client_pid")
  until grep -q '^STORM READY' "$client_log"; do
    kill -0 "$client_pid" 2>/dev/null || { cat "$client_log" >&2; exit 1; }
    sleep 0.2
  done
  kill -9 "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  echo "storm: server killed at $(date -u +%T.%N | cut -c1-12); load $(cut -d' ' -f1-3 /proc/loadavg)"
  sleep "${OUTAGE_SECONDS:-30}"
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" java -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" -XX:+Use"$SERVER_GC" -XX:TrimNativeHeapInterval="$SERVER_TRIM" "${pretouch[@]}" ${SERVER_OPTS:-} \
    -DlongPollingIntervalMs="$INTERVAL_MS" ${MIN_HOLD_MS:+-DlongPollingMinHoldMs="$MIN_HOLD_MS"} -Dport="$port" -Dbackend="$BACKEND" \
    -Dadapter="${ADAPTER:-AUTO}" -DclkTck="$(getconf CLK_TCK)" \
    -cp "$jar" org.messagebus.benchmarks.load.LoadServer > "$log.restarted" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  echo "storm: server restarted at $(date -u +%T.%N | cut -c1-12)"
  wait "$client_pid" || { cat "$client_log" >&2; exit 1; }
  grep -v '^storm: ' "$client_log" | tail -n 3
  echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  curl -s -X POST "http://127.0.0.1:$port/control/stop" > /dev/null || true
  exit 0
fi

java -Xms"$CLIENT_HEAP" -Xmx"$CLIENT_HEAP" -XX:+UseG1GC \
  -cp "$jar" org.messagebus.benchmarks.load.LoadClient "${client_args[@]}" \
  port="$port" n="$N" mode="$MODE" keepAlive="$keep" rate="$RATE" count="$COUNT" warmup="$WARMUP" \
  threads="$THREADS" sources="$SOURCES" pollIntervalMs="${POLL_INTERVAL_MS:-1000}" \
  repollDelayMs="${REPOLL_DELAY_MS:-0}" drainSeconds="${DRAIN_SECONDS:-30}" \
  channels="${CHANNELS:-1}" sampleSeconds="${SAMPLE_SECONDS:-0}" samplesOut="${SAMPLES_OUT:-}" \
  jitQuietPercent="${JIT_QUIET:-5}" jitRoundSeconds="$JIT_ROUND_SECONDS" \
  jitWarmupMaxSeconds="${JIT_WARMUP_MAX:-300}" \
  label="${LABEL:-}" out="$OUT" \
  diagnostics="$([[ -n "${DIAGNOSTICS:-}" && "$SERVER" == java ]] && echo "$here/target/diagnostics-$MODE-$N.txt")"

echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s -X POST "http://127.0.0.1:$port/control/stop" > /dev/null || true
if [[ -n "${JFR:-}" ]]; then
  wait "$server_pid" || true
  echo "JFR recording: $here/target/load-$N.jfr"
fi
