#!/usr/bin/env bash
# Ingest throughput: generate large CUR 2.0 Parquet and legacy CUR csv.gz deliveries with the
# demo generator, then read each format with the real readers and print rows/s and peak RSS.
#
#   bench/ingest/run.sh [ROWS] [OUT_DIR]
#
# ROWS (default 4,000,000) is split between the two formats by the generator's weights.
# Targets (issue 3): >= 500,000 rows/s for CUR 2.0 Parquet, >= 200,000 rows/s for csv.gz,
# peak RSS < 1 GiB whatever the input size.
set -euo pipefail
ROWS="${1:-4000000}"
OUT="${2:-/tmp/skyledger-bench-ingest}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-data}"
cd "$(dirname "$0")/../.."

cargo build --release -q -p skyledger-demo --example generate
cargo build --release -q -p skyledger-ingest --example bench_read
BIN="$CARGO_TARGET_DIR/release/examples"

if [ ! -d "$OUT/cur2" ]; then
  "$BIN/generate" "$OUT/cur2" "$ROWS" cur2
  "$BIN/generate" "$OUT/legacy" "$ROWS" legacy
fi

echo "== CUR 2.0 Parquet (one process, every data file)"
mapfile -t CUR2 < <(find "$OUT/cur2" -name '*.parquet' | sort)
"$BIN/bench_read" "${CUR2[@]}" | grep -E '^ALL|^[^ ].*rows/s' | tail -n 3

echo "== legacy CUR csv.gz (one process, every data file)"
mapfile -t LEGACY < <(find "$OUT/legacy" -name '*.csv.gz' | sort)
"$BIN/bench_read" "${LEGACY[@]}" | grep -E '^ALL|^[^ ].*rows/s' | tail -n 3

echo "== one monthly delivery through its manifest"
M=$(find "$OUT/legacy" -name '*Manifest.json' | sort | tail -n 1)
"$BIN/bench_read" "$M"
