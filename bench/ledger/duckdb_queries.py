#!/usr/bin/env python3
"""Runs the cost store benchmark's three queries in DuckDB on the same Parquet files.

Reads <store>/bench-report.json written by the ledger_bench example (file lists, parameters and
the store's own results), times each query warm (median of --runs), and checks that DuckDB's
sums equal the store's. Usage: duckdb_queries.py <store dir> [--runs N] [--threads N]
"""
import argparse
import json
import statistics
import time
from decimal import Decimal

import duckdb


def month_add(ym: str, n: int) -> str:
    y, m = map(int, ym.split("-"))
    m += n
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    return f"{y:04d}-{m:02d}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    report = json.load(open(f"{args.store}/bench-report.json"))
    first = report["first_month"]
    months = report["months"]
    last = month_add(first, months - 1)
    end = month_add(last, 1) + "-01"
    three = month_add(last, -2) + "-01"
    prev = month_add(last, -1) + "-01"

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET TimeZone = 'UTC'")
    items = report["line_item_files"]
    rollups = report["rollup_files"]
    def files(paths: list) -> str:
        return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"

    con.execute(f"CREATE VIEW items AS SELECT * FROM read_parquet({files(items)})")
    con.execute(f"CREATE VIEW rollup AS SELECT * FROM read_parquet({files(rollups)})")

    def q(table: str) -> dict:
        return {
            "a_monthly_by_service_13m": (
                f"SELECT date_trunc('month', ChargePeriodStart)::DATE AS p, ServiceName AS k, "
                f"sum(BilledCost) AS c FROM {table} "
                f"WHERE ChargePeriodStart >= TIMESTAMPTZ '{first}-01' AND ChargePeriodStart < TIMESTAMPTZ '{end}' "
                f"GROUP BY ALL ORDER BY p, k"
            ),
            "b_daily_one_account_3m": (
                f"SELECT date_trunc('day', ChargePeriodStart)::DATE AS p, sum(BilledCost) AS c FROM {table} "
                f"WHERE SubAccountId = '{report['sub_account']}' "
                f"AND ChargePeriodStart >= TIMESTAMPTZ '{three}' AND ChargePeriodStart < TIMESTAMPTZ '{end}' "
                f"GROUP BY ALL ORDER BY p"
            ),
            "c_top50_resources_1m": (
                f"SELECT ResourceId AS k, sum(BilledCost) AS c FROM {table} "
                f"WHERE ChargePeriodStart >= TIMESTAMPTZ '{prev}' AND ChargePeriodStart < TIMESTAMPTZ '{last}-01' "
                f"GROUP BY ALL ORDER BY c DESC, k LIMIT 50"
            ),
        }

    for source, table in [("line items", "items"), ("daily rollups", "rollup")]:
        for name, sql in q(table).items():
            if table == "rollup" and name.startswith("c_"):
                continue  # the rollup has no resource ids
            con.execute(sql).fetchall()  # cold run
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                rows = con.execute(sql).fetchall()
                times.append(time.perf_counter() - t0)
            ours = report["results"][name]
            want = [Decimal(r["cost"]) for r in ours["rows"]]
            got = [Decimal(r[-1]) for r in rows]
            same = "same sums as the store" if got == want else f"DIFFERENT from the store ({len(got)} vs {len(want)} rows)"
            print(
                f"duckdb {source:13} {name}: median {statistics.median(times) * 1e3:.1f} ms "
                f"(min {min(times) * 1e3:.1f}); store {ours['median_ms']:.1f} ms from {ours['source']}; {same}"
            )


if __name__ == "__main__":
    main()
