#!/usr/bin/env python3
"""Prints the figures of the last `cargo bench` run as Markdown tables.

Reads criterion's estimates (target/criterion/**/new/estimates.json):
median and median absolute deviation per benchmark, then the growth ratio
time(10 n) / time(n) of every scaling series and phase at its two largest
sizes (1000 -> 10000, or 200 -> 2000 for series bounded by the plan-node
limit).
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


rows = {}
for est in root.glob("**/new/estimates.json"):
    bench = json.loads((est.parent / "benchmark.json").read_text())
    e = json.loads(est.read_text())
    rows[bench["full_id"]] = (e["median"]["point_estimate"], e["median_abs_dev"]["point_estimate"])

print("| benchmark | median | MAD |")
print("| --- | ---: | ---: |")
for name in sorted(rows, key=lambda n: [int(p) if p.isdigit() else p for p in n.split("/")]):
    median, mad = rows[name]
    print(f"| `{name}` | {fmt(median)} | ±{fmt(mad)} ({100 * mad / median:.0f} %) |")

print()
print("| series | phase | n | time(n) | time(10 n) | ratio |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
sizes = {}
for name in rows:
    if name.startswith("scaling/"):
        _, series, phase, n = name.split("/")
        sizes.setdefault((series, phase), []).append(int(n))
for (series, phase), ns in sorted(sizes.items()):
    large = max(ns)
    small = large // 10
    if small in ns:
        a = rows[f"scaling/{series}/{phase}/{small}"][0]
        b = rows[f"scaling/{series}/{phase}/{large}"][0]
        print(f"| {series} | {phase} | {small} | {fmt(a)} | {fmt(b)} | {b / a:.1f} |")
