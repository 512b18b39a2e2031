#!/usr/bin/env python3
"""Prints the figures of the last `cargo bench` run as Markdown tables.

Reads criterion's estimates (target/criterion/**/new/estimates.json):
median and median absolute deviation per benchmark, then the growth ratio
time(10000) / time(1000) of every scaling series and phase.
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
print("| series | phase | 1 000 | 10 000 | ratio |")
print("| --- | --- | ---: | ---: | ---: |")
for name in sorted(rows):
    if name.startswith("scaling/") and name.endswith("/1000"):
        big = name[: -len("1000")] + "10000"
        if big in rows:
            _, series, phase, _ = name.split("/")
            small, large = rows[name][0], rows[big][0]
            print(f"| {series} | {phase} | {fmt(small)} | {fmt(large)} | {large / small:.1f} |")
