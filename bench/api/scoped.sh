#!/usr/bin/env bash
# API latency of the cost-center views (issue 7): cost_centers/trend_box and
# cost_centers/common_widget_api over 10 million line items, for a cost center of every cost
# account with 5 tag rules (the 5 most costly tag pairs of the two most used tag keys: values
# of one key ORed, keys ANDed), beside the same endpoints of the accounts view unscoped.
#
#   bench/api/scoped.sh [DATA_DIR] [ROWS]     (defaults: /tmp/skyledger-bench-scoped, 11,430,000)
#
# DATA_DIR is prepared as bench/api/run.sh does (`skyledger demo --no-serve --rows ROWS`)
# unless it holds DATA_DIR/demo.done; any Skyledger data directory with a cost store works
# (e.g. a copy of the 10 M-row store bench/ingest/run.sh writes, after `touch demo.done`).
# The cost center is created through the API on each run. Environment as run.sh: SAMPLES (50),
# LOAD_SECONDS (20), CLIENTS (16), PORT (18481), NO_BUILD=1.
set -euo pipefail
DATA="${1:-/tmp/skyledger-bench-scoped}"
ROWS="${2:-11430000}"
SAMPLES="${SAMPLES:-50}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
CLIENTS="${CLIENTS:-16}"
PORT="${PORT:-18481}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/main/target}"
cd "$(dirname "$0")/../.."

[ "${NO_BUILD:-0}" = 1 ] || cargo build --release -q -p skyledger
BIN="$CARGO_TARGET_DIR/release/skyledger"
LOAD="$CARGO_TARGET_DIR/release/api-load"
rustc -O --edition 2021 -o "$LOAD" bench/api/load.rs
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine: $(nproc) cores, commit $(git rev-parse --short HEAD), load average $(load)"
mkdir -p "$DATA"
if [ ! -f "$DATA/demo.done" ]; then
  echo "== preparing $ROWS demo line items in $DATA"
  "$BIN" --data-dir "$DATA" demo --no-serve --rows "$ROWS" >"$DATA/demo.out" 2>"$DATA/demo.err"
  rm -rf "$DATA/demo-exports"
  touch "$DATA/demo.done"
fi

TOKEN="$("$BIN" --data-dir "$DATA" token create --scope CloudSpend.Internal.ALL --expires-in 7200 --label scoped-bench)"
"$BIN" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" 2>"$DATA/serve.err" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

# The token reaches python and the client through the environment; it is never printed.
API_TOKEN="$TOKEN" python3 - "$DATA" "$PORT" <<'PY'
import datetime, json, os, sys, urllib.request
d, port = sys.argv[1], sys.argv[2]
def api(path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Zoho-oauthtoken " + os.environ["API_TOKEN"],
                 "content-type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=600))["data"]
accounts = [{"cost_account_id": a["cost_account_id"], "billing_account_ids": []}
            for a in api("/cs/api/cost/accounts/accounts_data")["all_accounts"]]
tags = [t for t in api("/cs/api/cost/accounts/tags")["Tags"] if t["type"] == ""]
keys = []
for t in tags:
    if t["key"] not in keys:
        keys.append(t["key"])
rules = [t for t in tags if t["key"] == keys[0]][:3] + [t for t in tags if t["key"] == keys[1]][:2]
assert len(rules) == 5, rules
name = "bench " + datetime.datetime.now().strftime("%H%M%S")
cc = api("/cs/api/cost/cost_center", {
    "business_unit_name": name, "integrated_zaaids": [], "billing_account_ids": [],
    "accounts": accounts, "cost_tags": [{"v": t["v"], "id": t["tagId"]} for t in rules]})
mx = datetime.date.fromisoformat(api("/cs/api/cost/cloud_available_range")["max_date"][:10])
first = mx.replace(day=1)
if (mx + datetime.timedelta(days=1)).month == mx.month:
    first = (first - datetime.timedelta(days=1)).replace(day=1)
end = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
start3 = first
for _ in range(2):
    start3 = (start3 - datetime.timedelta(days=1)).replace(day=1)
for name_, start in (("month1", first), ("month3", start3)):
    common = {"start_date": str(start), "end_date": str(end), "period": 0, "cost_type": 20,
              "cost_tags": []}
    json.dump(dict(common, business_unit_id=cc["business_unit_id"], bu_type=0),
              open(f"{d}/cc-{name_}.json", "w"))
    json.dump(dict(common, accounts=accounts), open(f"{d}/acc-{name_}.json", "w"))
print(f"== cost center {cc['business_unit_id']}: {len(accounts)} cost accounts, 5 tag rules "
      + ", ".join(f"{t['key']}={t['value']}" for t in rules)
      + f"; 1 month = {first} .. {end}; 3 months = {start3} .. {end}")
PY
for view in cc acc; do
  prefix=cost_centers
  [ "$view" = acc ] && prefix=accounts
  echo "== $prefix (load average $(load))"
  API_LOAD_TOKEN="$TOKEN" API_LOAD_PREFIX="$prefix" API_LOAD_ENDPOINTS=trend_box,common_widget_api \
    "$LOAD" "127.0.0.1:$PORT" "$SAMPLES" "$LOAD_SECONDS" "$CLIENTS" "$DATA/$view-month1.json" "$DATA/$view-month3.json"
done
echo "== load average after $(load); server peak RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVER/status")"
