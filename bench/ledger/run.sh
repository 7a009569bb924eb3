#!/usr/bin/env bash
# Cost store benchmark: 10 M generated line items through skyledger-ledger, then the three
# reference queries in the store and in DuckDB on the same Parquet files.
# Usage: bench/ledger/run.sh [--rows N] [--dir PATH] [--runs N]   (needs `pip install duckdb`)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=/tmp/skyledger-ledger-bench
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[i]} == --dir ]]; then dir=${args[i + 1]}; fi
done
cargo build --release -p skyledger-ledger --example ledger_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/ledger_bench
/usr/bin/time -f "ledger_bench: %e s wall, peak RSS %M KiB" "$bin" --dir "$dir" "$@"
python3 bench/ledger/duckdb_queries.py "$dir"
