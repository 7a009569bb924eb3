#!/usr/bin/env bash
# End-to-end ingest benchmark: the demo generator writes ROWS line items as AWS CUR 2.0 Parquet
# and again as legacy CUR csv.gz (13 monthly deliveries each, with their manifests); the release
# `skyledger ingest` then ingests each format into a fresh data directory (readers,
# normalisation, cost store with daily rollups, metadata), timed with /usr/bin/time for wall
# time and peak RSS. Last, the three queries of issue 3 item 8 run through the store and
# through DuckDB on the same Parquet files (bench/ledger/duckdb_queries.py).
#
#   bench/ingest/run.sh [ROWS] [OUT_DIR]        (needs `pip install duckdb`)
#
# ROWS (default 10,000,000) line items per format. Generated exports are kept in
# OUT_DIR/exports and reused by later runs with the same ROWS; data directories are recreated.
# Targets (issue 3): >= 500,000 rows/s for CUR 2.0 Parquet, >= 200,000 rows/s for csv.gz,
# peak RSS < 1 GiB whatever the input size; queries within 1.5x of DuckDB, (a) and (b) < 100 ms.
# Set READ_ONLY=1 to also time the readers alone (the bench_read example, no store).
set -euo pipefail
ROWS="${1:-10000000}"
OUT="${2:-/tmp/skyledger-bench-ingest}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-data}"
cd "$(dirname "$0")/../.."

cargo build --release -q -p skyledger
cargo build --release -q -p skyledger-demo --example generate
cargo build --release -q -p skyledger-ledger --example ledger_bench
cargo build --release -q -p skyledger-ingest --example bench_read
BIN="$CARGO_TARGET_DIR/release"
EX="$BIN/examples"

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)"

EXPORTS="$OUT/exports-$ROWS"
for fmt in cur2 legacy; do
  if [ ! -f "$EXPORTS/$fmt.done" ]; then
    rm -rf "${EXPORTS:?}/$fmt"
    echo "== generating $ROWS line items as $fmt"
    "$EX/generate" "$EXPORTS/$fmt" "$ROWS" "$fmt" | tail -n 1
    touch "$EXPORTS/$fmt.done"
  fi
done

# rows/s and peak RSS of one `skyledger ingest` over every monthly delivery of a format.
ingest() {
  local fmt="$1" label="$2"
  local data="$OUT/data-$fmt"
  rm -rf "$data"
  mkdir -p "$data"
  mapfile -t manifests < <(find "$EXPORTS/$fmt" -name '*Manifest.json' | sort)
  local bytes
  bytes=$(du -sb "$EXPORTS/$fmt" | cut -f1)
  echo "== $label: ${#manifests[@]} deliveries, $((bytes / 1048576)) MiB; load before $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "%e %M %U %S" -o "$data/time.txt" \
    "$BIN/skyledger" --data-dir "$data" ingest --json "${manifests[@]}" >"$data/ingest.json"
  read -r secs rss_kib user sys <"$data/time.txt"
  local rows
  rows=$(python3 -c 'import json,sys; print(sum(json.loads(l)["rows"] for l in open(sys.argv[1]) if l.strip()))' "$data/ingest.json")
  # CPU seconds are printed too: on a shared machine they say more than wall time does.
  python3 - "$label" "$rows" "$secs" "$rss_kib" "$user" "$sys" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
import sys
label, rows, secs, rss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cpu, load = float(sys.argv[5]) + float(sys.argv[6]), sys.argv[7]
print(f"{label}: {rows} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s, peak RSS {rss / 1024:.0f} MiB; "
      f"{cpu:.1f} CPU s = {rows / cpu:,.0f} rows per CPU second (load after {load})")
EOF
  if [ "${READ_ONLY:-0}" = 1 ]; then
    "$EX/bench_read" "${manifests[@]}" | grep -E '^ALL' || true
  fi
}

ingest cur2 "skyledger ingest, AWS CUR 2.0 Parquet"
ingest legacy "skyledger ingest, AWS legacy CUR csv.gz"

# The queries, on the store the CUR 2.0 ingest wrote (13 months ending 2026-10, the generator's
# default), then DuckDB on the same line-item and rollup files.
echo "== queries (store: $OUT/data-cur2/cost; load $(cut -d' ' -f1-3 /proc/loadavg))"
"$EX/ledger_bench" --queries-only --dir "$OUT/data-cur2/cost" --first-month 2025-10 | grep -E '^query|^peak'
python3 bench/ledger/duckdb_queries.py "$OUT/data-cur2/cost"
