#!/usr/bin/env bash
# Insight engine benchmarks: NAB scoring, M4 Weekly accuracy and interval coverage, speed.
# Prints figures; copy them into docs/insight-benchmarks.md. Needs ../shared/data (NAB, M4).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED="${SHARED:-../shared}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p skyledger-insight --examples
BIN="$CARGO_TARGET_DIR/release/examples"

echo "== NAB (${SHARED}/data/nab) =="
"$BIN/nab_score" "$SHARED/data/nab" bench/insight/nab_published_scores.csv

echo "-- NAB with the cost preset's scale floor --"
"$BIN/nab_score" "$SHARED/data/nab" median_floor=1 | sed -n '4,8p'

echo "== M4 Weekly (${SHARED}/data/m4) =="
for method in auto damped theta ses naive; do
  "$BIN/m4_eval" "$SHARED/data/m4" "$method"
done
echo "-- without the seasonality test (as the M4 benchmarks ran weekly data) --"
for method in auto theta naive; do
  "$BIN/m4_eval" "$SHARED/data/m4" "$method" none
done

echo "== Synthetic checks =="
"$BIN/synthetic_checks"

echo "== Speed =="
"$BIN/speed"
