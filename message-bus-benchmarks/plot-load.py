#!/usr/bin/env python3
"""Turns run-load.sh's JSON lines into PNG charts.

  plot-load.py RESULTS.jsonl [OUT_DIR] [PREFIX]

Writes OUT_DIR/PREFIX-latency.png (p50 and p99 publish->receipt latency against N, one line per
server/backend/mode) and OUT_DIR/PREFIX-rss.png (server RSS, and heap after full collections, with every poll held
against N: after the load when the run measured it, else after the ramp).
OUT_DIR defaults to the results file's folder, PREFIX to "load". When several lines share a
series and an N, the last one wins (re-runs replace earlier ones).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def series_name(r):
    mode = r["mode"]
    if mode != "streaming" and not r.get("keepAlive", True):
        mode += ", no keep-alive"
    label = f" [{r['label']}]" if r.get("label") else ""
    return f"{r['server']} {r['backend']} {mode}{label}"


def load(path):
    series = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            series.setdefault(series_name(r), {})[r["n"]] = r
    return series


def plot(series, key_fn, ylabel, title, path, styles):
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=110)
    for i, name in enumerate(sorted(series)):
        runs = series[name]
        ns = sorted(runs)
        for key, style, suffix in styles:
            ys = [key_fn(runs[n], key) for n in ns]
            pts = [(n, y) for n, y in zip(ns, ys) if y is not None and y >= 0]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o",
                        color=f"C{i % 10}", label=f"{name}{suffix}")
    ax.set_xlabel("N (simulated browsers, one connection each)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print("wrote", path)


def settled_mib(r, key):
    """RSS or heap with every poll held after the load (Settled), else after the ramp (Held)."""
    v = r.get(key + "Settled")
    if v is None:
        v = r.get(key + "Held")
    return None if v is None or v < 0 else v / 1048576.0


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    results = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(results))
    prefix = sys.argv[3] if len(sys.argv) > 3 else "load"
    series = load(results)
    if not series:
        sys.exit("no results in " + results)
    os.makedirs(out, exist_ok=True)
    plot(series, lambda r, k: r.get(k), "publish -> receipt latency (ms)",
         "Latency p50 (dashed) and p99 (solid) against N",
         os.path.join(out, f"{prefix}-latency.png"),
         [("latencyP50Ms", "--", " p50"), ("latencyP99Ms", "-", " p99")])
    plot(series, settled_mib,
         "server memory (MiB)",
         "Server RSS (solid) and heap after full GC (dashed) with every poll held, against N",
         os.path.join(out, f"{prefix}-rss.png"),
         [("serverRss", "-", " RSS"), ("serverHeap", "--", " heap")])


if __name__ == "__main__":
    main()
