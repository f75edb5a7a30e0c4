#!/usr/bin/env bash
# Charts from run-load.sh's JSON lines: latency p50/p99 against N per mode, and RSS against N.
#
#   message-bus-benchmarks/plot-load.sh [RESULTS.jsonl [OUT_DIR [PREFIX]]]
#
# Defaults: target/load-results.jsonl, its folder, prefix "load". Uses Debian's python3 with
# matplotlib; installs the package python3-matplotlib with apt-get when it is missing (root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
results="${1:-$here/target/load-results.jsonl}"
if ! /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then
  echo "installing python3-matplotlib (apt-get)"
  apt-get install -y -q python3-matplotlib > /dev/null
fi
exec /usr/bin/python3 "$here/plot-load.py" "$results" "${@:2}"
