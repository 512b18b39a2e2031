#!/usr/bin/env bash
# Runs one fuzz target for a given time on one core, at the lowest
# priority, continuing past findings (they land in fuzz/artifacts/TARGET/).
#   fuzz/run.sh TARGET SECONDS
# cargo-fuzz needs a nightly compiler; RUSTC_BOOTSTRAP=1 lets a stable one
# accept the -Z flags it passes.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
seconds=$2
mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run -O "$target" "fuzz/corpus/$target" -- \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -timeout=10 -rss_limit_mb=2048 -max_len=4096 -len_control=0 -max_total_time="$seconds" \
    -artifact_prefix="fuzz/artifacts/$target/"
