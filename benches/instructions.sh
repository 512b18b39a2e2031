#!/bin/sh
# Instructions per iteration of each planning phase (callgrind), a figure
# independent of the machine's load. Each phase runs twice, N and 2N
# iterations; the difference over N leaves set-up and start-up out.
# Usage: benches/instructions.sh [FIXTURE]   (needs valgrind)
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet --example phase_loop
bin=target/release/examples/phase_loop
n=200
count() { # phase iterations -> instructions
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" ${FIXTURE:+"$FIXTURE"} 2>&1 |
        sed -n 's/.*Collected : *//p; s/.*I *refs: *//p' | tr -d , | head -n 1
}
per_iteration() {
    a=$(count "$1" "$n")
    b=$(count "$1" $((2 * n)))
    echo $(((b - a) / n))
}
FIXTURE=${1:-}
clone=$(per_iteration clone)
for phase in parse build optimize render_text render_json end_to_end; do
    i=$(per_iteration "$phase")
    [ "$phase" = optimize ] && i=$((i - clone))
    printf '%-12s %8d instructions\n' "$phase" "$i"
done
