#!/usr/bin/env python3
"""The soak's chart and verdict, from run-soak.sh's samples and result line.

  plot-soak.py SAMPLES.jsonl RESULT.jsonl OUT.png

Draws the server's heap (after a full collection), RSS, threads and file descriptors, and the p99
latency of each sampling period, over time. The verdict: every message delivered, none twice, and,
after warm-up (the first quarter of the samples, at least one minute), heap, threads and file
descriptors flat: the mean of the last third of the samples is within 10 % (heap; at least 8 MiB
slack) or a fixed slack (threads 2, descriptors 20) of the mean of the first third. Exit status 1
otherwise.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MIB = 1024 * 1024


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def main():
    samples_path, result_path, png = sys.argv[1:4]
    samples = read_lines(samples_path)
    result = read_lines(result_path)[-1]
    if len(samples) < 6:
        print(f"VERDICT: too few samples ({len(samples)})")
        return 1
    t = [s["seconds"] / 60 for s in samples]
    fig, axes = plt.subplots(4, 1, figsize=(9, 11), sharex=True)
    axes[0].plot(t, [s["heapUsed"] / MIB for s in samples], label="heap used after GC")
    axes[0].plot(t, [s["rss"] / MIB for s in samples], label="RSS")
    axes[0].set_ylabel("MiB")
    axes[0].set_ylim(bottom=0)
    axes[0].legend()
    axes[1].plot(t, [s["threads"] for s in samples], label="threads")
    axes[1].plot(t, [s["fds"] for s in samples], label="file descriptors")
    axes[1].set_yscale("log")
    axes[1].legend()
    axes[2].plot(t, [s["p99Ms"] for s in samples], label="p99")
    axes[2].plot(t, [s["p50Ms"] for s in samples], label="p50")
    axes[2].set_ylabel("latency, ms")
    axes[2].set_ylim(bottom=0)
    axes[2].legend()
    axes[3].plot(t, [s["held"] for s in samples], label="polls held")
    axes[3].set_ylabel("held polls")
    axes[3].set_xlabel("minutes into the measured window")
    axes[3].set_ylim(bottom=0)
    fig.suptitle(
        f"Soak: {result['n']} held polls ({result.get('mode')}), {result.get('rate')} msg/s,"
        f" Redis; delivered {result['deliveredPercent']} %, duplicates {result['duplicates']}"
    )
    fig.tight_layout()
    fig.savefig(png, dpi=80)
    print(f"chart: {png}")

    skip = max(len(samples) // 4, next((i for i, s in enumerate(samples) if s["seconds"] >= 60), 0))
    steady = samples[skip:]
    third = max(1, len(steady) // 3)
    first, last = steady[:third], steady[-third:]
    problems = []

    def check(key, slack, label, fmt):
        a = mean([s[key] for s in first])
        b = mean([s[key] for s in last])
        ok = b - a <= slack
        print(f"{label}: first third {fmt(a)}, last third {fmt(b)} -> {'flat' if ok else 'GROWING'}")
        if not ok:
            problems.append(label)

    heap_first = mean([s["heapUsed"] for s in first])
    check("heapUsed", max(8 * MIB, 0.10 * heap_first), "heap after GC", lambda v: f"{v / MIB:.1f} MiB")
    check("rss", float("inf"), "RSS (reported, not judged)", lambda v: f"{v / MIB:.0f} MiB")
    check("threads", 2, "threads", lambda v: f"{v:.1f}")
    check("fds", 20, "file descriptors", lambda v: f"{v:.0f}")
    p99 = [s["p99Ms"] for s in steady]
    print(f"p99 per period after warm-up: min {min(p99):.1f} ms, median {sorted(p99)[len(p99) // 2]:.1f} ms, max {max(p99):.1f} ms")
    print(f"delivered {result['delivered']} of {result['expected']} ({result['deliveredPercent']} %),"
          f" duplicates {result['duplicates']}, lost {result.get('lost')}")
    if result["delivered"] != result["expected"]:
        problems.append("not every message delivered")
    if result["duplicates"] != 0:
        problems.append("duplicates")
    print("VERDICT: " + ("flat and complete" if not problems else "FAILED: " + ", ".join(problems)))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
