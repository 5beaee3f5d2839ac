#!/usr/bin/env bash
# Benchmark: `clawkit logs` over a generated ~1 GB gateway log, against `grep -F -c` on the
# same file, in one run, page cache warm, best of 3 each. Prints MB/s for every contender.
#
#   bash bench/logs.sh [MEGABYTES]     (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
dir=target/bench
mkdir -p "$dir"
cargo build --release -q -p clawkit
cargo build --release -q -p clawkit-core --example gen_gateway_log

best() {  # best wall time in ms of 3 runs of "$@"
  local best_ms=
  for _ in 1 2 3; do
    local s e
    # Not >/dev/null: GNU grep stops at the first match when its output is /dev/null.
    s=$(date +%s%N); "$@" >"$dir/out.tmp" 2>&1 || true; e=$(date +%s%N)
    local ms=$(( (e - s) / 1000000 ))
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
  done
  echo "$best_ms"
}

report() {  # name ms
  awk -v n="$1" -v ms="$2" -v b="$bytes" 'BEGIN { printf "%-48s %7d ms  %8.0f MB/s\n", n, ms, (b/1e6)/(ms/1000) }'
}

run_one() {  # label every
  log=$dir/gateway-${mb}m-every$2.log
  if [ ! -s "$log" ]; then
    echo "generating $log (${mb} MB)..."
    target/release/examples/gen_gateway_log "$log" "$mb" "$2"
  fi
  bytes=$(stat -c %s "$log")
  cat "$log" >/dev/null   # warm the page cache
  echo
  echo "== $1"
  echo "file: $log ($(( bytes / 1000000 )) MB, $(wc -l <"$log") lines)"
  ck=$(best target/release/clawkit logs --json --file "$log")
  g1=$(best grep -F -c 'unauthorized conn=' "$log")
  g8=$(best grep -F -c -e 'unauthorized conn=' -e 'closed before connect conn=' -e 'protocol mismatch conn=' \
    -e 'device pairing ' -e 'gateway ready' -e '[gateway] ready' -e 'shutting down' -e 'Gateway failed to start' "$log")
  report "clawkit logs (8 markers, parse + group)" "$ck"
  report "grep -F -c 'unauthorized conn='" "$g1"
  report "grep -F -c (the same 8 markers)" "$g8"
  awk -v a="$g1" -v b="$g8" -v c="$ck" 'BEGIN { printf "clawkit vs grep (1 pattern): %.1fx   vs grep (8 patterns): %.1fx\n", a/c, b/c }'
  target/release/clawkit logs --file "$log" | sed -n 1,6p || true
}

run_one "dense: an auth failure and a close every ~20 lines" 40
run_one "sparse: an auth failure and a close every ~4000 lines" 8000
