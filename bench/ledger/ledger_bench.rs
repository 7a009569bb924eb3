//! Cost store benchmark: writes generated normalised rows through the ledger, then times the
//! three reference queries; see bench/ledger/README.md and docs/performance.md.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, Decimal128Array, MapBuilder, RecordBatch, StringArray, StringBuilder,
    TimestampMicrosecondArray, UInt64Array,
};
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use datafusion::common::ScalarValue;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use skyledger_ledger::{
    BillingPeriod, CostQuery, CostTable, CostType, DateRange, Dimension, Granularity, Ledger,
    LedgerOptions, Order, batches_of,
};
use skyledger_types::cost_row::{MONEY_SCALE, cost_row_schema};

const COST_ACCOUNTS: usize = 3;
const SUB_ACCOUNTS_PER_COST_ACCOUNT: usize = 10;
const SERVICES: usize = 25;
const REGIONS: usize = 20;
const RESOURCES: usize = 100_000;
const MONTHS: u32 = 13;
const BATCH_ROWS: usize = 65_536;

/// One line item to build: resource index, day, BilledCost mantissa, ChargeCategory.
type Pick = (usize, NaiveDate, i128, &'static str);

/// A resource: the unit line items are generated for.
struct Resource {
    cost_account: usize,
    sub_account: usize,
    service: usize,
    region: usize,
    id: String,
    usage_type: String,
    instance_type: Option<String>,
    env: Option<&'static str>,
    team: Option<String>,
    /// Typical daily cost in 10^-10 units.
    daily: i64,
}

fn fleet(rng: &mut StdRng) -> Vec<Resource> {
    let services: Vec<String> = (0..SERVICES).map(|i| format!("Service{i:02}")).collect();
    let regions: Vec<String> = (0..REGIONS).map(|i| format!("region-{i:02}")).collect();
    // Each linked account uses a few regions and a dozen services, skewed to the first ones.
    let mut uses = vec![];
    for ca in 0..COST_ACCOUNTS {
        for sa in 0..SUB_ACCOUNTS_PER_COST_ACCOUNT {
            let regions: Vec<usize> = (0..rng.random_range(2..=6))
                .map(|_| skew(rng, REGIONS))
                .collect();
            let services: Vec<usize> = (0..rng.random_range(8..=15))
                .map(|_| skew(rng, SERVICES))
                .collect();
            uses.push((ca, sa, regions, services));
        }
    }
    (0..RESOURCES)
        .map(|i| {
            let (ca, sa, regions_used, services_used) = &uses[skew(rng, uses.len())];
            let service = services_used[rng.random_range(0..services_used.len())];
            let region = regions_used[rng.random_range(0..regions_used.len())];
            Resource {
                cost_account: *ca,
                sub_account: *sa,
                service,
                region,
                id: format!(
                    "arn:aws:{}:{}:{:012}:resource/r-{i:06}",
                    services[service], regions[region], sa
                ),
                usage_type: format!("{}-{}-Usage{}", regions[region], services[service], i % 7),
                instance_type: (service < 3)
                    .then(|| format!("m{}.{}xlarge", 5 + i % 3, 1 << (i % 4))),
                env: [Some("prod"), Some("dev"), Some("test"), None][i % 4],
                team: (i % 3 != 0).then(|| format!("team-{}", i % 12)),
                daily: (rng.random_range(1.0f64..5_000.0).powf(1.5) * 1e8) as i64,
            }
        })
        .collect()
}

/// Index in 0..n, small ones much more likely.
fn skew(rng: &mut StdRng, n: usize) -> usize {
    let u: f64 = rng.random_range(0.0..1.0);
    ((u * u * u) * n as f64) as usize
}

fn cost_account_id(ca: usize) -> String {
    format!("3324000000000{:04}", ca + 1)
}

fn sub_account_id(ca: usize, sa: usize) -> String {
    format!("{:06}{:06}", 100_000 + ca, sa)
}

fn micros(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros()
}

/// Line items of one (cost account, month): `rows` resource-days of its resources.
fn period_batches(
    resources: Arc<Vec<Resource>>,
    ca: usize,
    month: BillingPeriod,
    rows: usize,
    seed: u64,
    schema: SchemaRef,
) -> impl Iterator<Item = Result<RecordBatch, std::io::Error>> {
    let mine: Vec<usize> = (0..resources.len())
        .filter(|&i| resources[i].cost_account == ca)
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let first = month.first_day();
    let days = (month.next().first_day() - first).num_days() as u64;
    let mut done = 0;
    std::iter::from_fn(move || {
        if done >= rows {
            return None;
        }
        let n = BATCH_ROWS.min(rows - done);
        let picks: Vec<Pick> = (0..n)
            .map(|_| {
                let r = mine[skew(&mut rng, mine.len())];
                let day = first + chrono::Days::new(rng.random_range(0..days));
                let (cat, sign) = match rng.random_range(0..100) {
                    0 => ("Credit", -1),
                    1 => ("Tax", 1),
                    _ => ("Usage", 1),
                };
                let cost = i128::from(resources[r].daily) * i128::from(rng.random_range(50..150))
                    / 100
                    * sign;
                (r, day, cost * 100_000_000_000_000, cat)
            })
            .collect();
        let line0 = done as u64;
        done += n;
        Some(Ok(build(&schema, &resources, ca, month, &picks, line0)))
    })
}

fn build(
    schema: &SchemaRef,
    res: &[Resource],
    ca: usize,
    month: BillingPeriod,
    picks: &[Pick],
    line0: u64,
) -> RecordBatch {
    let n = picks.len();
    let money = |f: &dyn Fn(i128) -> i128| -> ArrayRef {
        Arc::new(
            Decimal128Array::from_iter_values(picks.iter().map(|p| f(p.2)))
                .with_precision_and_scale(38, MONEY_SCALE)
                .unwrap(),
        )
    };
    let text = |f: &dyn Fn(&Pick) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from_iter(picks.iter().map(f)))
    };
    let constant = |s: &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(s, n)))
    };
    let ts = |f: &dyn Fn(NaiveDate) -> i64| -> ArrayRef {
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(picks.iter().map(|p| f(p.1)))
                .with_timezone("UTC"),
        )
    };
    let bp_start = micros(month.first_day());
    let bp_end = micros(month.next().first_day());
    let columns = schema
        .fields()
        .iter()
        .map(|field| match field.name().as_str() {
            "BilledCost" | "x_UnblendedCost" | "x_BlendedCost" => money(&|c| c),
            "EffectiveCost" | "x_AmortizedCost" => money(&|c| c * 9 / 10),
            "ListCost" => money(&|c| c * 12 / 10),
            "x_RecurringCost" => money(&|c| c),
            "ChargePeriodStart" => ts(&micros),
            "ChargePeriodEnd" => ts(&|d| micros(d) + 86_400_000_000),
            "BillingPeriodStart" => ts(&|_| bp_start),
            "BillingPeriodEnd" => ts(&|_| bp_end),
            "BillingAccountId" => constant(&format!("{:012}", 900_000 + ca)),
            "SubAccountId" => text(&|p| Some(sub_account_id(ca, res[p.0].sub_account))),
            "ServiceName" => text(&|p| Some(format!("Service{:02}", res[p.0].service))),
            "RegionId" => text(&|p| Some(format!("region-{:02}", res[p.0].region))),
            "ResourceId" => text(&|p| Some(res[p.0].id.clone())),
            "ChargeCategory" => text(&|p| Some(p.3.to_string())),
            "BillingCurrency" => constant("USD"),
            "ProviderName" => constant("AWS"),
            "x_SourceFormat" => constant("aws_cur2"),
            "x_SourceFile" => constant("bench.parquet"),
            "x_SourceLine" => Arc::new(UInt64Array::from_iter_values(line0..line0 + n as u64)),
            "x_UsageType" => text(&|p| Some(res[p.0].usage_type.clone())),
            "x_InstanceType" => text(&|p| res[p.0].instance_type.clone()),
            "Tags" => {
                let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
                for p in picks {
                    let r = &res[p.0];
                    if let Some(env) = r.env {
                        b.keys().append_value("env");
                        b.values().append_value(env);
                    }
                    if let Some(team) = &r.team {
                        b.keys().append_value("team");
                        b.values().append_value(team);
                    }
                    b.append(true).unwrap();
                }
                let a: ArrayRef = Arc::new(b.finish());
                datafusion::arrow::compute::cast(&a, field.data_type()).unwrap()
            }
            _ if field.is_nullable() => {
                datafusion::arrow::array::new_null_array(field.data_type(), n)
            }
            _ => {
                let s = match field.data_type() {
                    DataType::Utf8 => ScalarValue::Utf8(Some("x".into())),
                    DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                        ScalarValue::TimestampMicrosecond(Some(0), tz.clone())
                    }
                    other => ScalarValue::new_zero(other).unwrap(),
                };
                s.to_array_of_size(n).unwrap()
            }
        })
        .collect();
    RecordBatch::try_new(Arc::clone(schema), columns).unwrap()
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn queries(first: BillingPeriod, sub_account: &str) -> Vec<(&'static str, CostQuery)> {
    let last_day = |p: BillingPeriod| p.next().first_day().pred_opt().unwrap();
    let mut last = first;
    for _ in 1..MONTHS {
        last = last.next();
    }
    let mut a = CostQuery::new(DateRange::new(first.first_day(), last_day(last)).unwrap());
    a.granularity = Some(Granularity::Month);
    a.group_by = vec![Dimension::Service];
    a.cost_type = CostType::Actual;
    let mut three_before = last;
    for _ in 0..2 {
        three_before = BillingPeriod::of(three_before.first_day().pred_opt().unwrap());
    }
    let mut b = CostQuery::new(DateRange::new(three_before.first_day(), last_day(last)).unwrap());
    b.granularity = Some(Granularity::Day);
    b.billing_accounts = vec![sub_account.to_string()];
    let prev = BillingPeriod::of(last.first_day().pred_opt().unwrap());
    let mut c = CostQuery::new(DateRange::new(prev.first_day(), last_day(prev)).unwrap());
    c.group_by = vec![Dimension::Resource];
    c.order = Order::CostDescending;
    c.limit = Some(50);
    vec![
        ("a_monthly_by_service_13m", a),
        ("b_daily_one_account_3m", b),
        ("c_top50_resources_1m", c),
    ]
}

/// The linked account (SubAccountId) with the most cost over the benchmark's months.
async fn busiest_sub_account(ledger: &Ledger, first: BillingPeriod) -> String {
    let mut last = first;
    for _ in 1..MONTHS {
        last = last.next();
    }
    let end = last.next().first_day().pred_opt().unwrap();
    let mut q = CostQuery::new(DateRange::new(first.first_day(), end).unwrap());
    q.group_by = vec![Dimension::BillingAccount];
    q.order = Order::CostDescending;
    q.limit = Some(1);
    let t = ledger.query(&q).await.expect("query the billing accounts");
    t.rows
        .first()
        .and_then(|r| r.keys.first().cloned().flatten())
        .expect("the store holds rows with a SubAccountId")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn table_json(t: &CostTable) -> serde_json::Value {
    serde_json::Value::Array(
        t.rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "period": r.period_start.map(|d| d.to_string()),
                    "keys": r.keys,
                    "cost": r.cost.to_string(),
                })
            })
            .collect(),
    )
}

#[tokio::main]
async fn main() {
    let rows: usize = arg("--rows").map_or(10_000_000, |v| v.parse().expect("--rows N"));
    let dir = arg("--dir").unwrap_or_else(|| "/tmp/skyledger-ledger-bench".into());
    let runs: usize = arg("--runs").map_or(7, |v| v.parse().expect("--runs N"));
    let reuse = std::env::args().any(|a| a == "--reuse");
    // Time the queries on an existing store (e.g. one `skyledger ingest` wrote) and nothing else.
    let queries_only = std::env::args().any(|a| a == "--queries-only");
    let first: BillingPeriod = arg("--first-month")
        .unwrap_or_else(|| "2024-11".into())
        .parse()
        .expect("--first-month YYYY-MM");
    let mut opts = LedgerOptions {
        gc_on_open: !queries_only,
        ..LedgerOptions::default()
    };
    if std::env::args().any(|a| a == "--no-rollups") {
        opts.daily_rollups = false;
    }
    if let Some(v) = arg("--zstd-level") {
        opts.zstd_level = v.parse().expect("--zstd-level N");
    }
    let schema = cost_row_schema();
    let mut rng = StdRng::seed_from_u64(42);
    let resources = Arc::new(fleet(&mut rng));

    if !reuse && !queries_only {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let ledger = Ledger::open(&dir, opts.clone()).await.expect("open store");
    let periods = COST_ACCOUNTS * MONTHS as usize;
    if !queries_only && (!reuse || ledger.periods().await.unwrap().is_empty()) {
        // Generation time is measured separately so the ingest figure is the store's own.
        let t0 = Instant::now();
        let mut generated = 0;
        for b in period_batches(
            Arc::clone(&resources),
            0,
            first,
            rows / periods,
            1,
            Arc::clone(&schema),
        ) {
            generated += b.unwrap().num_rows();
        }
        let gen_rate = generated as f64 / t0.elapsed().as_secs_f64();

        let t0 = Instant::now();
        let mut written = 0u64;
        let mut bytes = 0u64;
        let mut month = first;
        for m in 0..MONTHS {
            for ca in 0..COST_ACCOUNTS {
                let seed = u64::from(m) * 100 + ca as u64;
                let it = period_batches(
                    Arc::clone(&resources),
                    ca,
                    month,
                    rows / periods,
                    seed,
                    Arc::clone(&schema),
                );
                let c = ledger
                    .replace_period(&cost_account_id(ca), month, batches_of(it))
                    .await
                    .expect("ingest");
                written += c.rows;
                bytes += c.bytes;
            }
            month = month.next();
        }
        let secs = t0.elapsed().as_secs_f64();
        let gen_secs = written as f64 / gen_rate;
        println!(
            "ingest: {written} rows in {secs:.1} s = {:.0} rows/s including generation",
            written as f64 / secs
        );
        println!(
            "        generation alone {gen_rate:.0} rows/s => store alone ~{:.0} rows/s",
            written as f64 / (secs - gen_secs).max(1e-9)
        );
        println!(
            "        {:.1} MiB of Parquet ({:.1} bytes/row), peak RSS so far {:.0} MiB",
            bytes as f64 / 1048576.0,
            bytes as f64 / written as f64,
            peak_rss_mib()
        );
    }

    // The store's own ingest rate: one period's batches generated beforehand, written (with
    // rollup and commit) several times over the same period.
    if !queries_only {
        let month = first;
        let pre: Vec<RecordBatch> = period_batches(
            Arc::clone(&resources),
            0,
            month,
            rows / periods,
            0,
            Arc::clone(&schema),
        )
        .map(|b| b.unwrap())
        .collect();
        let n: usize = pre.iter().map(|b| b.num_rows()).sum();
        let mut rates = vec![];
        for _ in 0..5 {
            let input = pre.iter().cloned().map(Ok::<_, std::io::Error>);
            let t0 = Instant::now();
            ledger
                .replace_period(&cost_account_id(0), month, batches_of(input))
                .await
                .expect("ingest");
            rates.push(n as f64 / t0.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "store-only ingest of one {n}-row period (batches prepared beforehand): median {:.0} rows/s (min {:.0}, max {:.0}) over 5 runs",
            rates[2], rates[0], rates[4]
        );
    }

    // Files for the DuckDB reference script.
    let snapshot = ledger.snapshot().await.unwrap();
    let mut items = vec![];
    let mut rollups = vec![];
    for p in &snapshot.state.periods {
        items.extend(p.files.iter().map(|f| format!("{dir}/{}", f.path)));
        rollups.extend(p.rollup.iter().map(|f| format!("{dir}/{}", f.path)));
    }
    let sub = match arg("--sub-account") {
        Some(s) => s,
        None if queries_only => busiest_sub_account(&ledger, first).await,
        None => sub_account_id(0, 0),
    };
    let qs = queries(first, &sub);
    let mut out = BTreeMap::new();
    for (name, q) in &qs {
        let mut times = vec![];
        let mut result = None;
        for _ in 0..runs + 1 {
            let t0 = Instant::now();
            let t = ledger.query(q).await.expect("query");
            times.push(t0.elapsed());
            result = Some(t);
        }
        times.remove(0); // the cold run
        let t = result.unwrap();
        let med = median(times.clone());
        println!(
            "query {name}: median {:.1} ms (min {:.1}, max {:.1}) over {runs} warm runs; {} rows from {:?}",
            med.as_secs_f64() * 1e3,
            times.iter().min().unwrap().as_secs_f64() * 1e3,
            times.iter().max().unwrap().as_secs_f64() * 1e3,
            t.rows.len(),
            t.source
        );
        out.insert(name.to_string(), serde_json::json!({"median_ms": med.as_secs_f64() * 1e3, "source": format!("{:?}", t.source), "rows": table_json(&t)}));
    }
    println!("peak RSS {:.0} MiB", peak_rss_mib());
    let report = serde_json::json!({
        "store": dir,
        "line_item_files": items,
        "rollup_files": rollups,
        "sub_account": sub,
        "first_month": first.to_string(),
        "months": MONTHS,
        "results": out,
    });
    let path = format!("{dir}/bench-report.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    println!("wrote {path}");
}
