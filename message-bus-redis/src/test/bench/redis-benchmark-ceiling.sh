#!/usr/bin/env bash
# The ceiling for docs/benchmarks-redis.md: redis-benchmark running the backend's own publish script
# (EVALSHA, the same keys, arguments and payload as RedisBenchmark) with 1 and 8 connections.
# Usage: redis-benchmark-ceiling.sh [db] [requests]   (empties database <db>, default 5, afterwards)
set -euo pipefail
db="${1:-5}"
n="${2:-200000}"
here="$(cd "$(dirname "$0")" && pwd)"
script="$here/../../main/resources/org/messagebus/redis/publish.lua"
sha="$(redis-cli -n "$db" SCRIPT LOAD "$(cat "$script")")"
payload='/b|{"data":"hello world 0123456789","user_ids":null,"group_ids":null,"client_ids":null}'
for clients in 1 8; do
  printf 'clients=%s ' "$clients"
  redis-benchmark -h 127.0.0.1 -p 6379 --dbnum "$db" -c "$clients" -n "$n" --csv \
    EVALSHA "$sha" 5 __mb_global_id_n __mb_backlog_id_n_/b __mb_backlog_n_/b __mb_global_backlog_n \
    "_message_bus_$db" "$payload" 604800000 1000 2000 /b 1 | tail -n 1 |
    awk -F'","' '{ printf "rps=%s p50_ms=%s p99_ms=%s\n", $(NF-6), $(NF-3), $(NF-1) }'
done
redis-cli -n "$db" FLUSHDB >/dev/null
