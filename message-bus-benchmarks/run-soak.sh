#!/usr/bin/env bash
# Soak test (not part of CI): many held polls on Redis for a long time, checking that nothing is
# lost or repeated and that the server's heap, threads and file descriptors stay flat.
#
#   message-bus-benchmarks/run-soak.sh                      # 5,000 polls, 50 channels, 100 msg/s, 10 min
#   MINUTES=2 N=1000 message-bus-benchmarks/run-soak.sh     # a shorter one
#
# It runs run-load.sh once (Java LoadServer on a private redis-server, LoadClient) with a sample
# every SAMPLE_SECONDS of the measured window, then plot-soak.py, which draws heap, RSS, threads,
# descriptors and p99 latency over time and gives the verdict. Exit status 0 only when every
# message was delivered, none twice, and heap, threads and descriptors are flat after warm-up.
#
# Environment (defaults in brackets):
#   N [5000]              held polls (simulated browsers, one connection each)
#   CHANNELS [50]         channels they are spread over (N / CHANNELS polls per channel)
#   RATE [100]            messages per second in all (round-robin over the channels)
#   MINUTES [10]          length of the measured window
#   MODE [longpoll]       longpoll (a held poll per message batch), streaming or poll
#   SAMPLE_SECONDS [10]   sampling period
#   PNG [docs/images/soak.png]  the chart (relative to the repository)
#   any run-load.sh variable (SERVER_HEAP [1g], CLIENT_HEAP [1g], INTERVAL_MS [25000], BUILD, ...)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
N="${N:-5000}" CHANNELS="${CHANNELS:-50}" RATE="${RATE:-100}" MINUTES="${MINUTES:-10}"
MODE="${MODE:-longpoll}" SAMPLE_SECONDS="${SAMPLE_SECONDS:-10}"
png="$root/${PNG:-docs/images/soak.png}"
count=$(python3 -c "print(int($RATE * $MINUTES * 60))")
warmup=$(python3 -c "print(max($CHANNELS, int($RATE * 10)))")
mkdir -p "$here/target" "$(dirname "$png")"
samples="$here/target/soak-samples.jsonl"
result="$here/target/soak-result.jsonl"
rm -f "$samples" "$result"
echo "soak: N=$N over $CHANNELS channels, $RATE msg/s, $MINUTES min ($count messages), mode $MODE, Redis (private)"
REDIS_PRIVATE=1 BACKEND=redis N="$N" CHANNELS="$CHANNELS" RATE="$RATE" COUNT="$count" \
  WARMUP="$warmup" MODE="$MODE" SAMPLE_SECONDS="$SAMPLE_SECONDS" SAMPLES_OUT="$samples" \
  DRAIN_SECONDS="${DRAIN_SECONDS:-60}" LABEL="${LABEL:-soak}" OUT="$result" \
  "$here/run-load.sh" | tee "$here/target/soak.log"
if ! /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then
  echo "installing python3-matplotlib (apt-get)"
  apt-get install -y -q python3-matplotlib > /dev/null
fi
exec /usr/bin/python3 "$here/plot-soak.py" "$samples" "$result" "$png"
