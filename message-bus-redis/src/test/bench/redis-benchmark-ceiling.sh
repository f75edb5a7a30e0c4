#!/usr/bin/env bash
# The ceiling for docs/benchmarks-redis.md: redis-benchmark running the backend's own publish script
# (EVALSHA, the same keys, arguments and payload as RedisBenchmark) with 1 and 8 connections.
# Usage: redis-benchmark-ceiling.sh [db] [requests]   (empties database <db>, default 5, afterwards)
# Environment: PORT (default 6379); CLIENTS (default "1 8"); PIPELINE (default 1, redis-benchmark -P);
# SUBSCRIBED=1 keeps a `redis-cli subscribe` of the notification channel connected during the runs,
# as RedisBenchmark's -Dsubscribed=true keeps the bus's global subscription (default: none, as
# RedisBenchmark's default).
set -euo pipefail
db="${1:-5}"
n="${2:-200000}"
port="${PORT:-6379}"
pipeline="${PIPELINE:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
script="$here/../../main/resources/org/messagebus/redis/publish.lua"
sha="$(redis-cli -p "$port" -n "$db" SCRIPT LOAD "$(cat "$script")")"
payload='/b|{"data":"hello world 0123456789","user_ids":null,"group_ids":null,"client_ids":null}'
subscriber=""
if [ "${SUBSCRIBED:-0}" = 1 ]; then
  redis-cli -p "$port" SUBSCRIBE "_message_bus_$db" >/dev/null &
  subscriber=$!
  trap 'kill "$subscriber" 2>/dev/null || true' EXIT
  until [ "$(redis-cli -p "$port" PUBSUB NUMSUB "_message_bus_$db" | tail -n 1)" -ge 1 ]; do
    sleep 0.1
  done
fi
for clients in ${CLIENTS:-1 8}; do
  printf 'clients=%s pipeline=%s subscribed=%s ' "$clients" "$pipeline" "${SUBSCRIBED:-0}"
  redis-benchmark -h 127.0.0.1 -p "$port" --dbnum "$db" -c "$clients" -P "$pipeline" -n "$n" --csv \
    EVALSHA "$sha" 5 __mb_global_id_n __mb_backlog_id_n_/b __mb_backlog_n_/b __mb_global_backlog_n \
    "_message_bus_$db" "$payload" 604800000 1000 2000 /b 1 | tail -n 1 |
    awk -F'","' '{ printf "rps=%s p50_ms=%s p99_ms=%s\n", $(NF-6), $(NF-3), $(NF-1) }'
done
redis-cli -p "$port" -n "$db" FLUSHDB >/dev/null
