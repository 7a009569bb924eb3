#!/usr/bin/env bash
# API latency benchmark of the accounts cost endpoints over demo line items.
#
#   bench/api/run.sh [ROWS] [DATA_DIR]        (defaults: 11,430,000 and /tmp/skyledger-bench-api)
#
# 1. `skyledger demo --no-serve --rows ROWS` writes realistic AWS (CUR 2.0 Parquet and legacy
#    CUR csv.gz), Azure EA (actual and amortized) and Google Cloud exports over 13 months and
#    ingests them through the real readers into DATA_DIR. The demo ingests Azure's actual view
#    only (the amortized file restates it), so 11.43 M generated rows give 10.0 M ingested line
#    items. Skipped when DATA_DIR/demo.done exists from an earlier run; the exports are deleted.
# 2. `skyledger token create`, then `skyledger serve` on a local port. The token reaches the
#    client through the environment and is never printed.
# 3. bench/api/load.rs (std only, built with `rustc -O`): p50/p99 of SAMPLES sequential requests
#    (after 3 warm-up ones) of trend_box, common_widget_api, cost_by_resource and
#    spend_analysis_panel over all cost accounts for the last month and the last 3 months of
#    data, then the rate trend_box sustains with CLIENTS concurrent clients for LOAD_SECONDS,
#    counting every answer that is not 200 with code 0 as an error.
#
# Environment: SAMPLES (50), LOAD_SECONDS (20), CLIENTS (16), PORT (18480), KEEP=1 keeps
# DATA_DIR, NO_BUILD=1.
set -euo pipefail
ROWS="${1:-11430000}"
DATA="${2:-/tmp/skyledger-bench-api}"
SAMPLES="${SAMPLES:-50}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
CLIENTS="${CLIENTS:-16}"
PORT="${PORT:-18480}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/main/target}"
cd "$(dirname "$0")/../.."

# NO_BUILD=1 uses the binary already built (e.g. while other work in the tree does not compile).
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -q -p skyledger
BIN="$CARGO_TARGET_DIR/release/skyledger"
LOAD="$CARGO_TARGET_DIR/release/api-load"
rustc -O --edition 2021 -o "$LOAD" bench/api/load.rs
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, commit $(git rev-parse --short HEAD), load average $(load)"
mkdir -p "$DATA"
if [ ! -f "$DATA/demo.done" ]; then
  rm -rf "${DATA:?}"/*
  echo "== preparing $ROWS demo line items in $DATA (load before $(load))"
  started=$(date +%s)
  # The demo prints a token and a password: kept in the data directory, not shown.
  "$BIN" --data-dir "$DATA" demo --no-serve --rows "$ROWS" >"$DATA/demo.out" 2>"$DATA/demo.err"
  grep -E '^(generated|ingested)' "$DATA/demo.err" || true
  echo "== prepared in $(($(date +%s) - started)) s (load after $(load))"
  rm -rf "$DATA/demo-exports"
  touch "$DATA/demo.done"
fi
du -sh "$DATA" | sed 's/^/== data directory: /'

# Not exported: the server refuses unknown SKYLEDGER_* variables, and only the client needs it.
TOKEN="$("$BIN" --data-dir "$DATA" token create --scope CloudSpend.Internal.ALL --expires-in 7200 --label api-bench)"
"$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" 2>"$DATA/serve.err" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

# All cost accounts, and the last complete month of data (and the 3 months ending with it).
api() { curl -fs -H "Authorization: Zoho-oauthtoken $TOKEN" "http://127.0.0.1:$PORT$1"; }
api /cs/api/cost/accounts/accounts_data >"$DATA/accounts.json"
api /cs/api/cost/cloud_available_range >"$DATA/range.json"
python3 - "$DATA" <<'PY'
import datetime, json, sys
d = sys.argv[1]
accounts = [{"cost_account_id": a["cost_account_id"], "billing_account_ids": []}
            for a in json.load(open(f"{d}/accounts.json"))["data"]["all_accounts"]]
mx = datetime.date.fromisoformat(json.load(open(f"{d}/range.json"))["data"]["max_date"][:10])
first = mx.replace(day=1)
if (mx + datetime.timedelta(days=1)).month == mx.month:  # max_date is not a month's last day
    first = (first - datetime.timedelta(days=1)).replace(day=1)
end = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
start3 = first
for _ in range(2):
    start3 = (start3 - datetime.timedelta(days=1)).replace(day=1)
for name, start in (("month1", first), ("month3", start3)):
    body = {"start_date": str(start), "end_date": str(end), "period": 0, "cost_type": 20,
            "cost_tags": [], "accounts": accounts}
    json.dump(body, open(f"{d}/{name}.json", "w"))
print(f"== {len(accounts)} cost accounts; 1 month = {first} .. {end}; 3 months = {start3} .. {end}")
PY
echo "== serving on 127.0.0.1:$PORT; load average before the client $(load)"
API_LOAD_TOKEN="$TOKEN" "$LOAD" "127.0.0.1:$PORT" "$SAMPLES" "$LOAD_SECONDS" "$CLIENTS" "$DATA/month1.json" "$DATA/month3.json"
echo "== load average after $(load); server peak RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER/status")"
if [ "${KEEP:-0}" != 1 ]; then
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  rm -rf "${DATA:?}"
  echo "== removed $DATA"
fi
